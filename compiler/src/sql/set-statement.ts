// SET / RESET / SET TRANSACTION, with pgdog's routing parameters recognized.
import type { VariableSetStmt } from 'libpg-query';
import type { LiteralValue, RoutingParameter, SetAction, SetInfo } from './types.js';
import { constValue, literalOffset } from './literal-values.js';
import type { ByteToChar } from './text-offsets.js';
import { transactionModes } from './transaction.js';

const ROUTING: Readonly<Record<string, RoutingParameter>> = {
  'pgdog.shard': 'shard',
  'pgdog.sharding_key': 'sharding_key',
  'pgdog.role': 'role',
};

export function setInfo(s: VariableSetStmt, text: string, toChar: ByteToChar): SetInfo {
  const kind = s.kind ?? 'VAR_SET_VALUE';
  if (kind === 'VAR_SET_MULTI') {
    const session = s.name === 'SESSION CHARACTERISTICS';
    return {
      action: session ? 'session_characteristics' : 'transaction',
      name: null,
      values: [],
      local: s.is_local ?? false,
      hint: null,
      modes: transactionModes(s.args),
    };
  }
  const action: SetAction = kind === 'VAR_SET_DEFAULT' ? 'default'
    : kind === 'VAR_SET_CURRENT' ? 'current'
      : kind === 'VAR_RESET' ? 'reset'
        : kind === 'VAR_RESET_ALL' ? 'reset_all'
          : 'set';
  const name = s.name === undefined ? null : s.name.toLowerCase();
  const values: LiteralValue[] = [];
  for (const arg of s.args ?? []) {
    // SET TIME ZONE INTERVAL '...' wraps the constant in a cast; the constant is the value.
    const node = 'TypeCast' in arg && arg.TypeCast.arg ? arg.TypeCast.arg : arg;
    if (!('A_Const' in node)) continue;
    const loc = node.A_Const.location ?? -1;
    if (loc < 0) continue;
    const v = constValue(node.A_Const, literalOffset(text, toChar(loc)));
    if (v !== null) values.push(v);
  }
  return {
    action,
    name,
    values,
    local: s.is_local ?? false,
    hint: name === null ? null : ROUTING[name] ?? null,
    modes: null,
  };
}
