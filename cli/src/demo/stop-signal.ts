// SIGINT / SIGTERM as a promise, listened for from the demo's first moment: a Ctrl-C during the
// PostgreSQL set-up must still end in the demo's own clean-up, not in a bare signal death.

export interface StopSignal {
  /** Resolves with the signal's name on the first SIGINT / SIGTERM. */
  readonly received: Promise<NodeJS.Signals>;
  readonly requested: () => boolean;
  dispose(): void;
}

/**
 * `onSecond` runs on a further signal while the clean-up after the first is still going.
 */
export function listenForStop(onSecond: () => void): StopSignal {
  let got: NodeJS.Signals | null = null;
  let resolve!: (s: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const handler = (signal: NodeJS.Signals): void => {
    if (got !== null) {
      onSecond();
      return;
    }
    got = signal;
    resolve(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    received,
    requested: () => got !== null,
    dispose: () => {
      process.removeListener('SIGINT', handler);
      process.removeListener('SIGTERM', handler);
    },
  };
}
