// Reading a SQL script or test file given as a path, or `-` for standard input.
import { readFileSync } from 'node:fs';

export async function readTextInput(path: string): Promise<string> {
  if (path !== '-') return readFileSync(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
