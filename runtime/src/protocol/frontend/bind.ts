import { MalformedMessageError } from '../malformed-message.js';
import { Reader } from '../reader.js';

// Bind 'B': portal, statement, int16 n + n parameter format codes, int16 m + m values (int32 length,
// -1 = NULL, then bytes), int16 k + k result format codes.

const reader = new Reader();

/** Wire format codes: 0 text, 1 binary. */
export const enum FormatCode {
  Text = 0,
  Binary = 1,
}

export interface BindMessage {
  /** '' is the unnamed portal. */
  readonly portal: string;
  /** '' is the unnamed statement. */
  readonly statement: string;
  /** As sent: empty (all text), one code (applies to all) or one per parameter. */
  readonly parameterFormats: number[];
  /** Views of the frame (copy to keep); null for SQL NULL. */
  readonly parameters: (Buffer | null)[];
  readonly resultFormats: number[];
}

export function readBind(buf: Buffer, start: number, end: number): BindMessage {
  reader.setBuffer(buf, start + 5, end);
  const portal = reader.cstring();
  const statement = reader.cstring();
  const parameterFormats = readCodes();
  const count = reader.uint16();
  checkFormatCount(parameterFormats.length, count);
  const parameters = new Array<Buffer | null>(count);
  for (let i = 0; i < count; i++) {
    const length = reader.int32();
    parameters[i] = length === -1 ? null : reader.bytes(length);
  }
  const resultFormats = readCodes();
  reader.expectEnd();
  return { portal, statement, parameterFormats, parameters, resultFormats };
}

/**
 * A Bind kept as its frame: the names are read at once and the frame is checked as readBind checks
 * it, but the values are decoded only when asked for. Routing a Bind by its key reads one value
 * (parameter()); decoding every value and format into arrays would cost more than the routing.
 */
export class BindFrame implements BindMessage {
  readonly portal: string;
  readonly statement: string;
  private decoded: BindMessage | null = null;

  /** `frame`: the whole message, type byte first; a view is fine while the caller keeps its bytes. */
  constructor(readonly frame: Buffer) {
    const end = frame.length;
    reader.setBuffer(frame, 5, end);
    this.portal = reader.cstring();
    this.statement = reader.cstring();
    const formats = reader.uint16();
    reader.skip(formats * 2);
    const count = reader.uint16();
    checkFormatCount(formats, count);
    for (let i = 0; i < count; i++) {
      const length = reader.int32();
      if (length !== -1) reader.skip(length);
    }
    reader.skip(reader.uint16() * 2);
    reader.expectEnd();
  }

  get parameterFormats(): number[] {
    return this.full().parameterFormats;
  }

  get parameters(): (Buffer | null)[] {
    return this.full().parameters;
  }

  get resultFormats(): number[] {
    return this.full().resultFormats;
  }

  /** Parameter `index` (0-based) alone: a view of the frame, null for SQL NULL, undefined when absent. */
  parameter(index: number): Buffer | null | undefined {
    return bindParameter(this.frame, 0, this.frame.length, index);
  }

  /** The format code (0 text, 1 binary) that applies to parameter `index`. */
  parameterFormat(index: number): number {
    return bindParameterFormat(this.frame, 0, this.frame.length, index);
  }

  private full(): BindMessage {
    return (this.decoded ??= readBind(this.frame, 0, this.frame.length));
  }
}

/** The statement name alone (prepared-statement mapping reads nothing else). */
export function bindStatementName(buf: Buffer, start: number, end: number): string {
  reader.setBuffer(buf, start + 5, end);
  reader.skipCString();
  return reader.cstring();
}

export function bindParameterCount(buf: Buffer, start: number, end: number): number {
  seekParameters(buf, start, end);
  return reader.uint16();
}

/**
 * One parameter value without decoding the others (a shard key bound as `$n` is `index` n - 1):
 * a view of the frame, null for SQL NULL, undefined when there is no such parameter.
 */
export function bindParameter(buf: Buffer, start: number, end: number, index: number): Buffer | null | undefined {
  seekParameters(buf, start, end);
  const count = reader.uint16();
  if (index < 0 || index >= count) return undefined;
  for (let i = 0; i < index; i++) {
    const length = reader.int32();
    if (length !== -1) reader.skip(length);
  }
  const length = reader.int32();
  return length === -1 ? null : reader.bytes(length);
}

/** The format code that applies to parameter `index` (0 text, 1 binary). */
export function bindParameterFormat(buf: Buffer, start: number, end: number, index: number): number {
  reader.setBuffer(buf, start + 5, end);
  reader.skipCString();
  reader.skipCString();
  const formats = reader.uint16();
  if (formats === 0) return FormatCode.Text;
  if (formats === 1) return reader.int16();
  if (index < 0 || index >= formats) throw new RangeError(`no parameter ${index}`);
  reader.skip(index * 2);
  return reader.int16();
}

/** Leaves the reader at the parameter count, having checked the format count against it. */
function seekParameters(buf: Buffer, start: number, end: number): void {
  reader.setBuffer(buf, start + 5, end);
  reader.skipCString();
  reader.skipCString();
  const formats = reader.uint16();
  reader.skip(formats * 2);
  const at = reader.offset;
  checkFormatCount(formats, reader.uint16());
  reader.setBuffer(buf, at, end);
}

function readCodes(): number[] {
  const n = reader.uint16();
  const codes = new Array<number>(n);
  for (let i = 0; i < n; i++) codes[i] = reader.int16();
  return codes;
}

function checkFormatCount(formats: number, parameters: number): void {
  if (formats > 1 && formats !== parameters) {
    throw new MalformedMessageError(`bind message has ${formats} parameter formats but ${parameters} parameters`);
  }
}
