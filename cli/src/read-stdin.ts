// Reading a secret from standard input rather than argv (which shows up in `ps` and history).

/** All of stdin, minus one trailing newline (what `echo` adds). */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
