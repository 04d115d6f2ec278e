// A problem that ends a command with a message and an exit code (SPEC §2), kept free of heavy
// imports: command modules import it at the top.

/** A problem that ends the command: lines for stderr and the exit code. */
export class CommandFailure extends Error {
  constructor(
    readonly lines: string[],
    readonly exitCode: number,
  ) {
    super(lines.join('\n'));
    this.name = 'CommandFailure';
  }
}

export interface FailureJson {
  error: { message: string; exit: number };
}

/** Ends a command on a CommandFailure: lines to stderr, the exit code set, and (for --json) an
 *  error object to return. Returning instead of throwing keeps oclif from replacing the code. */
export function failureResult(err: CommandFailure, logToStderr: (line: string) => void): FailureJson {
  for (const line of err.lines) logToStderr(line);
  process.exitCode = err.exitCode;
  return { error: { message: err.lines.join('\n'), exit: err.exitCode } };
}
