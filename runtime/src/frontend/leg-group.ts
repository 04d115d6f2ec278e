// The shard connections of one streaming multi-shard statement (multi-shard.ts), paused and
// resumed as one: the client writer's peer while rows stream to the client.

import type { Pausable } from '../net/socket-writer.js';
import type { LeasePort } from './server-port.js';

/** What LegGroup needs of a shard leg. */
export interface GroupedLeg {
  readonly lease: LeasePort;
}

/**
 * The shard connections of one streaming statement. A shard reads while the client's socket has
 * room (pause / resume: the client writer's peer) and it is not far ahead of the others in the
 * merge (setBacklogged).
 */
export class LegGroup implements Pausable {
  private readonly legs: readonly GroupedLeg[];
  private readonly backlogged: boolean[];
  private readonly reading: boolean[];
  private clientFull = false;

  constructor(legs: readonly GroupedLeg[]) {
    this.legs = legs;
    this.backlogged = legs.map(() => false);
    this.reading = legs.map(() => true);
  }

  pause(): void {
    this.clientFull = true;
    for (let i = 0; i < this.legs.length; i++) this.apply(i);
  }

  resume(): void {
    this.clientFull = false;
    for (let i = 0; i < this.legs.length; i++) this.apply(i);
  }

  setBacklogged(i: number, backlogged: boolean): void {
    if (this.backlogged[i] === backlogged) return;
    this.backlogged[i] = backlogged;
    this.apply(i);
  }

  /** The statement is over: every connection reads again (a transaction keeps using them). */
  release(): void {
    this.clientFull = false;
    this.backlogged.fill(false);
    for (let i = 0; i < this.legs.length; i++) this.apply(i);
  }

  private apply(i: number): void {
    const want = !this.clientFull && !this.backlogged[i];
    if (this.reading[i] === want) return;
    this.reading[i] = want;
    const server = this.legs[i]!.lease.server;
    if (want) server.resume();
    else server.pause();
  }
}
