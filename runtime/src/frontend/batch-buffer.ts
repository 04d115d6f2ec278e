// A sharded client's extended-protocol batch, copied out of the socket's read buffer (which is
// reused for the next read) as its frames arrive: into one allocation, not one per frame, and
// contiguous, so a batch that runs on the single-server path is replayed without joining it first.
// A fresh buffer per batch: portals keep views of their Bind values into it across batches.

export class BatchBuffer {
  private buf: Buffer;
  private length = 0;
  /** End offset of each frame. */
  private readonly ends: number[] = [];

  constructor(size: number) {
    // Small batches come from Node's shared pool: no allocation of their own.
    this.buf = Buffer.allocUnsafe(Math.max(256, size));
  }

  get count(): number {
    return this.ends.length;
  }

  get bytes(): number {
    return this.length;
  }

  append(src: Buffer, start: number, end: number): void {
    const need = this.length + (end - start);
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    src.copy(this.buf, this.length, start, end);
    this.length = need;
    this.ends.push(need);
  }

  /** Each frame, as a view of the batch's own copy. */
  frames(): Buffer[] {
    const out: Buffer[] = new Array<Buffer>(this.ends.length);
    let at = 0;
    for (let i = 0; i < this.ends.length; i++) {
      const e = this.ends[i]!;
      out[i] = this.buf.subarray(at, e);
      at = e;
    }
    return out;
  }

  /** Every frame, in order, as one view. */
  whole(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}
