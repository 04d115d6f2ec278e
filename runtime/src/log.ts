import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** trace, debug, info, warn, error, fatal or silent. Default info. */
  readonly level?: string;
  /**
   * `json`: one JSON object per line. `text`: a compact human line when the destination is a TTY,
   * JSON otherwise (so files and log shippers always get JSON). Default text.
   */
  readonly format?: string;
  /** Default: standard output. */
  readonly destination?: NodeJS.WritableStream & { isTTY?: boolean };
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/** Keys that may hold secrets, wherever they appear one or two levels down. */
const REDACT = ['password', 'passwords', 'password_hash', 'server_password', '*.password', '*.passwords', '*.password_hash', '*.server_password'];

export function createLogger(options: LoggerOptions = {}): Logger {
  const out = options.destination ?? process.stdout;
  const level = logLevel(options.level);
  const pretty = options.format !== 'json' && out.isTTY === true;
  const stream: DestinationStream = pretty ? prettyStream(out) : out;
  return pino({ level, base: { pid: process.pid }, redact: { paths: REDACT, censor: '[redacted]' } }, stream);
}

/** pgDog accepts RUST_LOG-style directives ("info,pgdog=debug"); the first bare level wins here. */
export function logLevel(value: string | undefined): LevelWithSilent {
  if (value === undefined) return 'info';
  for (const part of value.split(',')) {
    const v = part.trim().toLowerCase();
    if (LEVELS.has(v)) return v as LevelWithSilent;
  }
  return 'info';
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLORS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** A JSON-line-to-text filter, so a terminal needs no pino-pretty. */
function prettyStream(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(line: string): void {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      out.write(formatPrettyLine(rec) + '\n');
    },
  };
}

/** `12:00:01.123 INFO  message key=value ...`, the level coloured. */
export function formatPrettyLine(rec: Record<string, unknown>): string {
  const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString().slice(11, 23) : '';
  const lv = typeof rec.level === 'number' ? rec.level : 30;
  const name = LEVEL_NAMES[lv] ?? String(lv);
  const color = LEVEL_COLORS[lv] ?? '0';
  let s = `${time} \u001b[${color}m${name}\u001b[0m ${typeof rec.msg === 'string' ? rec.msg : ''}`;
  for (const key of Object.keys(rec)) {
    if (OMIT.has(key)) continue;
    const value = rec[key];
    if (key === 'err' && value !== null && typeof value === 'object') {
      const err = value as { message?: unknown; stack?: unknown };
      s += ` err=${JSON.stringify(err.message)}`;
      if (typeof err.stack === 'string') s += `\n${err.stack}`;
      continue;
    }
    s += ` ${key}=${typeof value === 'string' && /^[\w.:/@-]+$/.test(value) ? value : JSON.stringify(value)}`;
  }
  return s;
}
