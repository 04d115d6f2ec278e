// COPY FROM STDIN payloads of generated rows (user_id bigint, seq int, label text) in text, CSV
// with a header line, and binary, cut into chunks at arbitrary byte offsets (not at row ends), as
// a client may send them. Pure.
import { seededRandom } from '@pgdog/testing';

export interface CopyRow {
  readonly userId: bigint;
  readonly seq: number;
  readonly label: string | null;
}

const LABELS = ['plain', 'tab\there', 'comma, quoted "x"', 'naïve café', '日本語', 'back\\slash', '', 'line\nbreak'];

export function copyRows(n: number, seed = 99): CopyRow[] {
  const rand = seededRandom(seed);
  const rows: CopyRow[] = [];
  for (let i = 0; i < n; i++) {
    const userId = BigInt(Math.floor(rand() * 4_000_000_000) - 2_000_000_000) * (rand() < 0.01 ? 4_000_000_000n : 1n);
    rows.push({ userId, seq: i, label: rand() < 0.05 ? null : LABELS[Math.floor(rand() * LABELS.length)]! });
  }
  return rows;
}

function textField(s: string): string {
  return s.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r');
}

/** `bad` replaces the key of that row index by a value bigint does not accept. */
export function textPayload(rows: readonly CopyRow[], bad?: number): Buffer {
  const lines = rows.map((r, i) => `${i === bad ? 'not-a-number' : r.userId}\t${r.seq}\t${r.label === null ? '\\N' : textField(r.label)}\n`);
  return Buffer.from(lines.join(''), 'utf8');
}

export function csvPayload(rows: readonly CopyRow[], bad?: number): Buffer {
  const q = (s: string): string => `"${s.replaceAll('"', '""')}"`;
  const lines = rows.map((r, i) => `${i === bad ? '12x' : r.userId},${r.seq},${r.label === null ? '' : q(r.label)}\n`);
  return Buffer.from(`user_id,seq,label\n${lines.join('')}`, 'utf8');
}

/** Binary COPY: signature, flags, header extension, tuples, trailer. `bad`: that tuple claims 2 fields. */
export function binaryPayload(rows: readonly CopyRow[], bad?: number): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const label = r.label === null ? null : Buffer.from(r.label, 'utf8');
    const t = Buffer.alloc(2 + 12 + 8 + 4 + (label?.length ?? 0));
    t.writeInt16BE(i === bad ? 2 : 3, 0);
    t.writeInt32BE(8, 2);
    t.writeBigInt64BE(r.userId, 6);
    t.writeInt32BE(4, 14);
    t.writeInt32BE(r.seq, 18);
    if (label === null) t.writeInt32BE(-1, 22);
    else {
      t.writeInt32BE(label.length, 22);
      label.copy(t, 26);
    }
    parts.push(t.subarray(0, label === null ? 26 : 26 + label.length));
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  parts.push(trailer);
  return Buffer.concat(parts);
}

/** Cuts `payload` into pieces of 1..2*avg bytes (seeded), ignoring row boundaries. */
export function chunks(payload: Buffer, avg = 48 * 1024, seed = 5): Buffer[] {
  const rand = seededRandom(seed);
  const out: Buffer[] = [];
  for (let p = 0; p < payload.length;) {
    const n = 1 + Math.floor(rand() * 2 * avg);
    out.push(payload.subarray(p, p + n));
    p += n;
  }
  return out;
}
