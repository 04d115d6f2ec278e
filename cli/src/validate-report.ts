// What `pgdog validate` prints and how it exits, as a pure function of the load result.

import type { Diagnostic, LoadConfigResult } from '@pgdog/compiler';
import { isIoDiagnostic } from '@pgdog/compiler';
import { ExitCode } from './exit-codes.js';

/** A diagnostic as `--json` shows it: exactly these keys, hint only when there is one. */
export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  pointer: string;
  code: string;
  message: string;
  hint?: string;
}

export interface ValidateJson {
  valid: boolean;
  errors: JsonDiagnostic[];
  warnings: JsonDiagnostic[];
}

export interface ValidateReport {
  exitCode: ExitCode;
  json: ValidateJson;
  stdout: string[];
  stderr: string[];
}

export function toJsonDiagnostic(d: Diagnostic): JsonDiagnostic {
  const out: JsonDiagnostic = { file: d.file, line: d.line, column: d.column, pointer: d.pointer, code: d.code, message: d.message };
  if (d.hint !== undefined) out.hint = d.hint;
  return out;
}

/** `pgdog.toml:12:8: error E_CODE message`, then an indented hint line if there is one. */
export function formatDiagnostic(d: Diagnostic): string[] {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const lines = [`${where}: ${d.severity} ${d.code} ${d.message}`];
  if (d.hint !== undefined) lines.push(`  hint: ${d.hint}`);
  return lines;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function validateReport(result: LoadConfigResult, files: { config: string; users: string }, strict: boolean): ValidateReport {
  const { errors, warnings } = result;
  const failedOnWarnings = strict && warnings.length > 0;
  const valid = errors.length === 0 && !failedOnWarnings;
  const exitCode = errors.some(isIoDiagnostic) ? ExitCode.Usage : valid ? ExitCode.Ok : ExitCode.Invalid;
  const stdout: string[] = [];
  const stderr: string[] = [];
  for (const d of [...errors, ...warnings]) (isIoDiagnostic(d) ? stderr : stdout).push(...formatDiagnostic(d));
  const both = `${files.config} and ${files.users}`;
  const tally = `${count(errors.length, 'error')}, ${count(warnings.length, 'warning')}`;
  if (exitCode === ExitCode.Usage) stderr.push(`cannot validate ${both}: ${tally}`);
  else if (valid) stdout.push(warnings.length === 0 ? `${both} are valid` : `${both} are valid (${count(warnings.length, 'warning')})`);
  else if (errors.length === 0) stdout.push(`${both}: ${count(warnings.length, 'warning')} (--strict makes warnings fail)`);
  else stdout.push(`${both} are invalid: ${tally}`);
  return {
    exitCode,
    json: { valid, errors: errors.map(toJsonDiagnostic), warnings: warnings.map(toJsonDiagnostic) },
    stdout,
    stderr,
  };
}
