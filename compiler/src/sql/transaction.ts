// BEGIN / COMMIT / ROLLBACK / SAVEPOINT ... and transaction modes (also used by SET TRANSACTION).
import type { Node, TransactionStmt } from 'libpg-query';
import type { TransactionAction, TransactionInfo, TransactionModes } from './types.js';

const ACTIONS: Readonly<Record<string, TransactionAction>> = {
  TRANS_STMT_BEGIN: 'begin',
  TRANS_STMT_START: 'begin',
  TRANS_STMT_COMMIT: 'commit',
  TRANS_STMT_ROLLBACK: 'rollback',
  TRANS_STMT_SAVEPOINT: 'savepoint',
  TRANS_STMT_RELEASE: 'release',
  TRANS_STMT_ROLLBACK_TO: 'rollback_to',
  TRANS_STMT_PREPARE: 'prepare',
  TRANS_STMT_COMMIT_PREPARED: 'commit_prepared',
  TRANS_STMT_ROLLBACK_PREPARED: 'rollback_prepared',
};

export function transactionInfo(s: TransactionStmt): TransactionInfo {
  return {
    action: ACTIONS[s.kind ?? 'TRANS_STMT_BEGIN'] ?? 'begin',
    modes: transactionModes(s.options),
    chain: s.chain ?? false,
    savepoint: s.savepoint_name ?? null,
    gid: s.gid ?? null,
  };
}

/** READ ONLY / READ WRITE, ISOLATION LEVEL, [NOT] DEFERRABLE from a DefElem list. The grammar
 *  stores them as constants made from keywords (`transaction_read_only` = 1 / 0). */
export function transactionModes(options: Node[] | undefined): TransactionModes {
  const modes: TransactionModes = { readOnly: null, isolation: null, deferrable: null };
  for (const o of options ?? []) {
    if (!('DefElem' in o)) continue;
    const d = o.DefElem;
    const arg = d.arg && 'A_Const' in d.arg ? d.arg.A_Const : undefined;
    switch (d.defname) {
      case 'transaction_read_only':
        modes.readOnly = (arg?.ival?.ival ?? 0) !== 0;
        break;
      case 'transaction_deferrable':
        modes.deferrable = (arg?.ival?.ival ?? 0) !== 0;
        break;
      case 'transaction_isolation':
        modes.isolation = arg?.sval?.sval ?? null;
        break;
    }
  }
  return modes;
}
