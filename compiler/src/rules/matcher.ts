// AST -> one closure per node, built once per rule: regexes compiled here, `in` lists turned
// into Sets, and/or flattened into loops. Nothing is allocated per evaluation on the common paths.

import type { RuleExpr, RuleFacts, RuleFlag, ScalarField } from './ast.js';
import { compileNameRegex, compileNameSet, FUNCTIONS, TABLES } from './names.js';
import { regexFlags } from './vocabulary.js';

export type RuleMatcher = (facts: RuleFacts) => boolean;

function flag(f: RuleFlag): RuleMatcher {
  switch (f) {
    case 'write':
      return (x) => x.write;
    case 'read':
      return (x) => !x.write;
    case 'locking':
      return (x) => x.locking;
    case 'in_transaction':
      return (x) => x.inTransaction;
    default:
      return (x) => x.kind === f;
  }
}

function scalar(field: ScalarField): (facts: RuleFacts) => string {
  switch (field) {
    case 'user':
      return (x) => x.user;
    case 'database':
      return (x) => x.database;
    case 'application_name':
      return (x) => x.applicationName;
    case 'query':
      return (x) => x.query;
    case 'fingerprint':
      return (x) => x.fingerprint;
  }
}

function negate(m: RuleMatcher): RuleMatcher {
  return (x) => !m(x);
}

export function buildMatcher(e: RuleExpr): RuleMatcher {
  switch (e.type) {
    case 'or': {
      const ms = e.items.map(buildMatcher);
      if (ms.length === 2) {
        const [a, b] = ms;
        return (x) => a(x) || b(x);
      }
      return (x) => {
        for (let i = 0; i < ms.length; i++) if (ms[i](x)) return true;
        return false;
      };
    }
    case 'and': {
      const ms = e.items.map(buildMatcher);
      if (ms.length === 2) {
        const [a, b] = ms;
        return (x) => a(x) && b(x);
      }
      return (x) => {
        for (let i = 0; i < ms.length; i++) if (!ms[i](x)) return false;
        return true;
      };
    }
    case 'not':
      return negate(buildMatcher(e.item));
    case 'flag':
      return flag(e.flag);
    case 'calls': {
      const test = compileNameSet(e.names, FUNCTIONS);
      return (x) => test(x.calls);
    }
    case 'compare': {
      let m: RuleMatcher;
      if (e.field === 'table') {
        const test = compileNameSet(e.values, TABLES);
        m = (x) => test(x.tables);
      } else {
        const get = scalar(e.field);
        if (e.values.length === 1) {
          const v = e.values[0];
          m = (x) => get(x) === v;
        } else {
          const set = new Set(e.values);
          m = (x) => set.has(get(x));
        }
      }
      return e.op === '!=' || e.op === 'not in' ? negate(m) : m;
    }
    case 'regex': {
      const re = new RegExp(e.pattern, regexFlags(e.ignoreCase));
      let m: RuleMatcher;
      if (e.field === 'table') {
        const test = compileNameRegex(re, TABLES);
        m = (x) => test(x.tables);
      } else {
        const get = scalar(e.field);
        m = (x) => re.test(get(x));
      }
      return e.negated ? negate(m) : m;
    }
  }
}
