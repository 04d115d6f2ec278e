// Test support: PostgreSQL's extended-protocol statement handling as a small model (named
// statements keyed by their first 63 bytes, skip to Sync after an error, the 26000 / 42P05
// errors), so the rewriter can be checked against "the same frames sent straight to PostgreSQL".
// runtime/test/prepared-wire.test.ts checks the same behaviour against a real server.

import { readBind } from '../../protocol/frontend/bind.js';
import { readClose, readDescribe } from '../../protocol/frontend/describe-close.js';
import { readParse } from '../../protocol/frontend/parse.js';
import { writeErrorResponse, readErrorFields } from '../../protocol/backend/error-response.js';
import { writeCommandComplete } from '../../protocol/backend/command-complete.js';
import { writeReadyForQuery } from '../../protocol/backend/ready-for-query.js';
import { MessageWriter } from '../../protocol/writer.js';
import { BIND_COMPLETE, CLOSE_COMPLETE, NO_DATA, PARSE_COMPLETE } from '../../protocol/constants.js';

const w = new MessageWriter(256);

function key(name: string): string {
  const b = Buffer.from(name, 'utf8');
  return b.subarray(0, Math.min(63, b.length)).toString('latin1');
}

function error(sqlstate: string, message: string): Buffer {
  writeErrorResponse(w, { severity: 'ERROR', sqlstate, message });
  return Buffer.from(w.take());
}

/** One server session. Queries containing `fail` fail at Parse. */
export class PgModel {
  readonly statements = new Map<string, string>();
  private skipping = false;
  /** The statement the unnamed portal was bound to. */
  private portal: string | null = null;
  parses = 0;

  /** Answers to a stream of whole frames. */
  feed(bytes: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    while (at < bytes.length) {
      const end = at + 1 + bytes.readInt32BE(at + 1);
      this.frame(bytes, at, end, out);
      at = end;
    }
    return out;
  }

  private frame(buf: Buffer, start: number, end: number, out: Buffer[]): void {
    const code = buf[start];
    if (code === 0x53) {
      this.skipping = false;
      writeReadyForQuery(w, 0x49);
      out.push(Buffer.from(w.take()));
      return;
    }
    if (this.skipping || code === 0x48) return;
    const fail = (b: Buffer): void => {
      out.push(b);
      this.skipping = true;
    };
    switch (code) {
      case 0x50: {
        const p = readParse(buf, start, end);
        this.parses++;
        if (p.query.includes('fail')) return fail(error('42601', 'syntax error at or near "fail"'));
        if (p.statement !== '') {
          if (this.statements.has(key(p.statement))) return fail(error('42P05', `prepared statement "${p.statement}" already exists`));
          this.statements.set(key(p.statement), p.query);
        }
        out.push(PARSE_COMPLETE);
        return;
      }
      case 0x42: {
        const b = readBind(buf, start, end);
        const q = b.statement === '' ? '' : this.statements.get(key(b.statement));
        if (q === undefined) return fail(error('26000', `prepared statement "${b.statement}" does not exist`));
        this.portal = q;
        out.push(BIND_COMPLETE);
        return;
      }
      case 0x44: {
        const d = readDescribe(buf, start, end);
        if (d.target === 0x53 && d.name !== '' && !this.statements.has(key(d.name))) {
          return fail(error('26000', `prepared statement "${d.name}" does not exist`));
        }
        out.push(NO_DATA);
        return;
      }
      case 0x45:
        writeCommandComplete(w, `SELECT ${this.portal ?? ''}`);
        out.push(Buffer.from(w.take()));
        return;
      case 0x43: {
        const c = readClose(buf, start, end);
        if (c.target === 0x53) this.statements.delete(key(c.name));
        out.push(CLOSE_COMPLETE);
        return;
      }
      default:
        throw new Error(`model: frame ${code}`);
    }
  }
}

/** Readable form of answers: `1`, `2`, `C:SELECT q`, `E:26000:message`, `Z`. */
export function describeAnswers(frames: Buffer[]): string[] {
  return frames.map((f) => {
    const code = String.fromCharCode(f[0]);
    if (code === 'E') {
      const e = readErrorFields(f, 0, f.length);
      return `E:${e.code}:${e.message}`;
    }
    if (code === 'C') return `C:${f.toString('utf8', 5, f.length - 1)}`;
    return code;
  });
}
