import { BackendCode } from '../codes.js';
import { Reader } from '../reader.js';
import type { MessageWriter } from '../writer.js';

// ErrorResponse 'E' and NoticeResponse 'N': a list of (field type byte, cstring) ended by a 0 byte.

/** Field type bytes (PostgreSQL "Error and Notice Message Fields"). */
export const enum ErrorField {
  Severity = 0x53, // 'S' localized
  SeverityNonLocalized = 0x56, // 'V' (9.6+)
  Code = 0x43, // 'C' SQLSTATE
  Message = 0x4d, // 'M'
  Detail = 0x44, // 'D'
  Hint = 0x48, // 'H'
  Position = 0x50, // 'P'
  InternalPosition = 0x70, // 'p'
  InternalQuery = 0x71, // 'q'
  Where = 0x57, // 'W'
  Schema = 0x73, // 's'
  Table = 0x74, // 't'
  Column = 0x63, // 'c'
  DataType = 0x64, // 'd'
  Constraint = 0x6e, // 'n'
  File = 0x46, // 'F'
  Line = 0x4c, // 'L'
  Routine = 0x52, // 'R'
}

export type ErrorSeverity = 'ERROR' | 'FATAL' | 'PANIC';
export type NoticeSeverity = 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

export interface ErrorFields<S extends string = ErrorSeverity> {
  readonly severity: S;
  /** Five characters; use the SqlState names. */
  readonly sqlstate: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  /** 1-based character offset into the query text. */
  readonly position?: number;
}

/** Writes an ErrorResponse. ERROR ends the current query; FATAL is followed by closing the connection. */
export function writeErrorResponse(w: MessageWriter, fields: ErrorFields): MessageWriter {
  return writeFields(w, BackendCode.ErrorResponse, fields);
}

/** Writes a NoticeResponse (same layout, informational severities). */
export function writeNoticeResponse(w: MessageWriter, fields: ErrorFields<NoticeSeverity>): MessageWriter {
  return writeFields(w, BackendCode.NoticeResponse, fields);
}

function writeFields(w: MessageWriter, code: number, fields: ErrorFields<string>): MessageWriter {
  if (fields.sqlstate.length !== 5) throw new RangeError(`SQLSTATE must have 5 characters: ${fields.sqlstate}`);
  w.begin(code);
  // We never localize, so S and V carry the same text; clients since 9.6 prefer V.
  w.byte(ErrorField.Severity).cstring(fields.severity);
  w.byte(ErrorField.SeverityNonLocalized).cstring(fields.severity);
  w.byte(ErrorField.Code).cstring(fields.sqlstate);
  w.byte(ErrorField.Message).cstring(fields.message);
  if (fields.detail !== undefined) w.byte(ErrorField.Detail).cstring(fields.detail);
  if (fields.hint !== undefined) w.byte(ErrorField.Hint).cstring(fields.hint);
  if (fields.position !== undefined) w.byte(ErrorField.Position).cstring(String(fields.position));
  w.byte(0);
  return w.end();
}

/** The fields of a server's ErrorResponse / NoticeResponse; absent fields are undefined. */
export interface ServerErrorFields {
  severity?: string;
  severityNonLocalized?: string;
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
  position?: string;
  internalPosition?: string;
  internalQuery?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  file?: string;
  line?: string;
  routine?: string;
}

const FIELD_NAMES = new Map<number, keyof ServerErrorFields>([
  [ErrorField.Severity, 'severity'],
  [ErrorField.SeverityNonLocalized, 'severityNonLocalized'],
  [ErrorField.Code, 'code'],
  [ErrorField.Message, 'message'],
  [ErrorField.Detail, 'detail'],
  [ErrorField.Hint, 'hint'],
  [ErrorField.Position, 'position'],
  [ErrorField.InternalPosition, 'internalPosition'],
  [ErrorField.InternalQuery, 'internalQuery'],
  [ErrorField.Where, 'where'],
  [ErrorField.Schema, 'schema'],
  [ErrorField.Table, 'table'],
  [ErrorField.Column, 'column'],
  [ErrorField.DataType, 'dataType'],
  [ErrorField.Constraint, 'constraint'],
  [ErrorField.File, 'file'],
  [ErrorField.Line, 'line'],
  [ErrorField.Routine, 'routine'],
]);

const reader = new Reader();

/**
 * Decodes the fields of a server's ErrorResponse or NoticeResponse (on demand: allocates strings).
 * Unknown field types are skipped, as the protocol asks of clients.
 */
export function readErrorFields(buf: Buffer, start: number, end: number): ServerErrorFields {
  reader.setBuffer(buf, start + 5, end);
  const fields: ServerErrorFields = {};
  for (;;) {
    const type = reader.byte();
    if (type === 0) break;
    const name = FIELD_NAMES.get(type);
    if (name === undefined) reader.skipCString();
    else fields[name] = reader.cstring();
  }
  return fields;
}

/**
 * One field without decoding the rest, e.g. `errorField(buf, s, e, ErrorField.Code)` for the
 * SQLSTATE that decides whether a server connection is still usable.
 */
export function errorField(buf: Buffer, start: number, end: number, field: ErrorField): string | undefined {
  reader.setBuffer(buf, start + 5, end);
  for (;;) {
    const type = reader.byte();
    if (type === 0) return undefined;
    if (type === field) return reader.cstring();
    reader.skipCString();
  }
}
