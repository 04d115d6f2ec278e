// `route = "..."` of a rule: primary | replica | shard:N | all_shards | block.

import type { RuleRoute } from './ast.js';
import type { RuleCode } from './diagnostics.js';
import { suggest } from './vocabulary.js';

const SIMPLE = ['primary', 'replica', 'all_shards', 'block'] as const;

export interface RouteProblem {
  code: RuleCode;
  message: string;
  hint?: string;
}

export function defaultBlockMessage(ruleName: string): string {
  return `query blocked by rule "${ruleName}"`;
}

export function parseRouteTarget(route: string, ruleName: string, message: string | undefined): RuleRoute | RouteProblem {
  switch (route) {
    case 'primary':
    case 'replica':
    case 'all_shards':
      return { kind: route };
    case 'block':
      return { kind: 'block', message: message ?? defaultBlockMessage(ruleName) };
  }
  const shard = /^shard:(.*)$/s.exec(route);
  if (shard) {
    const n = shard[1];
    if (/^(0|[1-9][0-9]{0,8})$/.test(n)) return { kind: 'shard', shard: Number(n) };
    const hint = /^\s*\d+\s*$/.test(n) ? `write shard:${Number(n.trim())}` : 'shards are numbered from 0: shard:0, shard:1, ...';
    return { code: 'E_RULE_BAD_SHARD', message: `\`${route}\` is not a shard number`, hint };
  }
  const spaced = /^shard\s*[\s=]\s*(\d+)$/i.exec(route);
  const lower = route.toLowerCase();
  let hint: string;
  if (spaced) hint = `write shard:${Number(spaced[1])}`;
  else if ((SIMPLE as readonly string[]).includes(lower)) hint = `write \`${lower}\` (lower case)`;
  else {
    const near = suggest(lower, SIMPLE);
    hint = near ? `did you mean \`${near}\`?` : 'routes are: primary, replica, shard:N, all_shards, block';
  }
  return { code: 'E_RULE_BAD_ROUTE', message: `unknown route \`${route}\``, hint };
}

export function isRouteProblem(r: RuleRoute | RouteProblem): r is RouteProblem {
  return 'code' in r;
}

export function formatRoute(r: RuleRoute): string {
  return r.kind === 'shard' ? `shard:${r.shard}` : r.kind;
}
