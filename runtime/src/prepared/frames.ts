// Encoders for the frames the rewriter sends or answers with. Renamed frames copy the client's
// bytes around the statement name; nothing else in them is decoded.

import { FrontendCode } from '../protocol/codes.js';
import { writeErrorResponse } from '../protocol/backend/error-response.js';
import { SqlState } from '../protocol/sqlstate.js';
import { MessageWriter } from '../protocol/writer.js';
import { SERVER_NAME_PREFIX } from './statement-cache.js';

const writer = new MessageWriter(1024);

/**
 * Bind with the statement name at [nameStart, nameEnd) (NUL excluded) replaced by `nameBytes`
 * (a C string, NUL included): one exact-size allocation and two copies, on every Bind of a named
 * statement.
 */
export function renameBindTo(buf: Buffer, start: number, end: number, nameStart: number, nameEnd: number, nameBytes: Buffer): Buffer {
  const head = nameStart - start;
  const total = head + nameBytes.length + (end - nameEnd - 1);
  const out = Buffer.allocUnsafe(total);
  buf.copy(out, 0, start, nameStart);
  out.writeInt32BE(total - 1, 1);
  nameBytes.copy(out, head);
  buf.copy(out, head + nameBytes.length, nameEnd + 1, end);
  return out;
}

/** Bind with the statement name at [nameStart, nameEnd) (NUL excluded) replaced by `name`. */
export function renameBind(buf: Buffer, start: number, end: number, nameStart: number, nameEnd: number, name: string): Buffer {
  writer.begin(FrontendCode.Bind);
  writer.bytes(buf.subarray(start + 5, nameStart));
  writer.cstring(name);
  writer.bytes(buf.subarray(nameEnd + 1, end));
  return writer.end().take();
}

export function describeStatement(name: string): Buffer {
  return writer.begin(FrontendCode.Describe).byte(0x53).cstring(name).end().take();
}

export function closeStatement(name: string): Buffer {
  return writer.begin(FrontendCode.Close).byte(0x53).cstring(name).end().take();
}

/**
 * A Describe the server is certain to reject (pgdog never prepares this name): sent where
 * PostgreSQL would have failed, so the server's transaction and skip-to-Sync state match; its
 * error is replaced by the one PostgreSQL would have given.
 */
export const FAILING_DESCRIBE = Buffer.from(describeStatement(`${SERVER_NAME_PREFIX}never`));

/** ERROR 26000, as PostgreSQL words it for Bind / Describe / DEALLOCATE of an unknown name. */
export function statementMissingError(name: string): Buffer {
  writeErrorResponse(writer, { severity: 'ERROR', sqlstate: SqlState.InvalidSqlStatementName, message: `prepared statement "${name}" does not exist` });
  return Buffer.from(writer.take());
}

/** ERROR 42P05 for a Parse of a name the client already uses. */
export function statementExistsError(name: string): Buffer {
  writeErrorResponse(writer, { severity: 'ERROR', sqlstate: SqlState.DuplicatePreparedStatement, message: `prepared statement "${name}" already exists` });
  return Buffer.from(writer.take());
}
