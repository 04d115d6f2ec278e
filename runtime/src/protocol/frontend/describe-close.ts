import { MalformedMessageError } from '../malformed-message.js';
import { Reader } from '../reader.js';

// Describe 'D' and Close 'C' share one layout: a target byte ('S' statement / 'P' portal) and a name.

const reader = new Reader();

export const enum DescribeTarget {
  Statement = 0x53, // 'S'
  Portal = 0x50, // 'P'
}

export interface DescribeOrClose {
  readonly target: DescribeTarget;
  /** '' is the unnamed statement or portal. */
  readonly name: string;
}

export function readDescribe(buf: Buffer, start: number, end: number): DescribeOrClose {
  return read(buf, start, end, 'DESCRIBE');
}

export function readClose(buf: Buffer, start: number, end: number): DescribeOrClose {
  return read(buf, start, end, 'CLOSE');
}

function read(buf: Buffer, start: number, end: number, what: string): DescribeOrClose {
  reader.setBuffer(buf, start + 5, end);
  const target = reader.byte();
  if (target !== DescribeTarget.Statement && target !== DescribeTarget.Portal) {
    throw new MalformedMessageError(`invalid ${what} message subtype ${target}`);
  }
  const name = reader.cstring();
  reader.expectEnd();
  return { target, name };
}
