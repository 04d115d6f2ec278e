// The CLI's exit codes (SPEC §2), set explicitly by every command.
export const ExitCode = {
  /** Everything is fine. */
  Ok: 0,
  /** The input is invalid: config errors, failed assertions, refused query. */
  Invalid: 1,
  /** Usage or I/O error: bad flags, a file that cannot be read. */
  Usage: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
