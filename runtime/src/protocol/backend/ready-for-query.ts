import { BackendCode } from '../codes.js';
import type { MessageWriter } from '../writer.js';

// ReadyForQuery 'Z': one status byte. Watching it is how a pooler knows a transaction ended.

export const enum TransactionStatus {
  Idle = 0x49, // 'I'
  InTransaction = 0x54, // 'T'
  Failed = 0x45, // 'E'
}

/** The status byte of a ReadyForQuery frame; no bounds check beyond the framer's (length 5). */
export function readyForQueryStatus(buf: Buffer, start: number): TransactionStatus {
  return buf[start + 5] as TransactionStatus;
}

/** Prefer the pre-encoded READY_FOR_QUERY_* constants; this is for writers batching a reply. */
export function writeReadyForQuery(w: MessageWriter, status: TransactionStatus): MessageWriter {
  return w.begin(BackendCode.ReadyForQuery).byte(status).end();
}
