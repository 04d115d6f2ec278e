// setTimeout fires at once (with a warning) for delays above 2^31 - 1 ms, and the config spells
// "off" as i64::MAX for some timeouts, so every configured delay goes through here.

const MAX_DELAY = 0x7fffffff;

export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return ms > MAX_DELAY ? MAX_DELAY : ms;
}
