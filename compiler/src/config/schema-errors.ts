// ajv errors -> findings. ajv (allErrors) reports every failed keyword, including each failed
// branch of an anyOf/oneOf; a person wants one message per mistake, so combinator cascades
// are folded into the one error that explains them.

import type { ConfigFileKind } from '../errors.js';
import { finding, type Finding } from './finding.js';
import { childPointer, parsePointer, valueAt } from './pointer.js';
import { subschemaAt } from './semantic-defaults.js';
import { describeActual, describeValueOnly, keyName, patternWord, quoteList, sectionName, typeList } from './schema-describe.js';
import { suggest } from './suggest.js';

/** The fields of ajv's ErrorObject that we read. */
export interface SchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

type Schema = Record<string, unknown>;

export interface SchemaContext {
  file: ConfigFileKind;
  fileLabel: string;
  /** The parsed document as written (for values in messages). */
  data: unknown;
  schema: Schema;
  /** The other file's schema, to say "this belongs in users.toml". */
  otherSchema: Schema;
  otherLabel: string;
}

const COMBINATORS = new Set(['anyOf', 'oneOf']);

function inBranch(e: SchemaError, c: SchemaError): boolean {
  return e !== c && e.schemaPath.startsWith(c.schemaPath + '/') && e.instancePath.startsWith(c.instancePath);
}

function branchOf(e: SchemaError, c: SchemaError): string {
  return e.schemaPath.slice(c.schemaPath.length + 1).split('/')[0];
}

/** Replaces each failed anyOf/oneOf and its branch errors with the error(s) that explain it. */
export function foldCombinators(errors: readonly SchemaError[]): SchemaError[] {
  let list = errors.filter((e) => e.keyword !== 'if');
  const combinators = list.filter((e) => COMBINATORS.has(e.keyword)).sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const c of combinators) {
    if (!list.includes(c)) continue;
    const branchErrors = list.filter((e) => inBranch(e, c));
    const rest = list.filter((e) => e !== c && !branchErrors.includes(e));
    // The value is not even of the type the whole property requires: that says it all.
    if (rest.some((e) => e.keyword === 'type' && e.instancePath === c.instancePath)) {
      list = rest;
      continue;
    }
    list = [...rest, ...explainCombinator(c, branchErrors)];
  }
  return list;
}

function explainCombinator(c: SchemaError, branchErrors: SchemaError[]): SchemaError[] {
  const branches = new Map<string, SchemaError[]>();
  for (const e of branchErrors) {
    const b = branchOf(e, c);
    branches.set(b, [...(branches.get(b) ?? []), e]);
  }
  const wrongType = (errs: SchemaError[]) => errs.some((e) => e.keyword === 'type' && e.instancePath === c.instancePath);
  const fitting = [...branches.values()].filter((errs) => !wrongType(errs));
  if (fitting.length === 0) {
    const types = branchErrors.filter((e) => e.keyword === 'type' && e.instancePath === c.instancePath).map((e) => String(e.params.type));
    return [{ instancePath: c.instancePath, schemaPath: c.schemaPath, keyword: 'type', params: { type: types } }];
  }
  // Several branches accept the type but reject the value (enum / pattern): list all choices.
  const choiceOnly = (errs: SchemaError[]) => errs.every((e) => e.instancePath === c.instancePath && ['enum', 'const', 'pattern'].includes(e.keyword));
  if (fitting.length > 1 && fitting.every(choiceOnly)) {
    const choices: string[] = [];
    const values: unknown[] = [];
    for (const e of fitting.flat()) {
      const allowed = e.keyword === 'enum' ? (e.params.allowedValues as unknown[]) : e.keyword === 'const' ? [e.params.allowedValue] : [];
      values.push(...allowed);
      choices.push(...allowed.map((v) => JSON.stringify(v)));
      if (e.keyword === 'pattern') choices.push(patternWord(String(e.params.pattern)));
    }
    return [{ instancePath: c.instancePath, schemaPath: c.schemaPath, keyword: 'choices', params: { choices, values } }];
  }
  return fitting.reduce((best, errs) => (errs.length < best.length ? errs : best));
}

function schemaPathOf(instancePath: string): string[] {
  return parsePointer(instancePath).map((s) => (/^\d+$/.test(s) ? '*' : s));
}

function propertyNames(schema: Schema | undefined): string[] {
  const props = schema?.properties;
  return props && typeof props === 'object' ? Object.keys(props) : [];
}

function unknownKeyHint(ctx: SchemaContext, parent: string, key: string): string | undefined {
  const allowed = propertyNames(subschemaAt(ctx.schema, schemaPathOf(parent)));
  const close = suggest(key, allowed);
  if (close) return `did you mean \`${close}\`?`;
  if (parent === '' && propertyNames(ctx.otherSchema).includes(key)) return `\`${key}\` belongs in ${ctx.otherLabel}`;
  if (allowed.length > 0 && allowed.length <= 12) return `allowed keys: ${allowed.join(', ')}`;
  return undefined;
}

function boundWord(keyword: string, limit: unknown): string {
  switch (keyword) {
    case 'minimum':
      return `at least ${limit}`;
    case 'maximum':
      return `at most ${limit}`;
    case 'exclusiveMinimum':
      return `greater than ${limit}`;
    case 'exclusiveMaximum':
      return `less than ${limit}`;
    default:
      return `a multiple of ${limit}`;
  }
}

function lengthWord(keyword: string, limit: unknown): string {
  const unit = keyword.endsWith('Items') ? 'item' : keyword.endsWith('Properties') ? 'key' : 'character';
  const plural = limit === 1 ? unit : unit + 's';
  return keyword.startsWith('min') ? `have at least ${limit} ${plural}` : `have at most ${limit} ${plural}`;
}

function enumHint(value: unknown, allowed: readonly unknown[]): string | undefined {
  const close = typeof value === 'string' ? suggest(value, allowed.filter((v): v is string => typeof v === 'string')) : undefined;
  return close ? `did you mean "${close}"?` : undefined;
}

export function toFinding(ctx: SchemaContext, e: SchemaError): Finding {
  const at = e.instancePath;
  const value = valueAt(ctx.data, at);
  const key = keyName(at);
  const f = ctx.file;
  switch (e.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const name = String(e.params.additionalProperty ?? e.params.unevaluatedProperty);
      const p = childPointer(at, name);
      return finding(f, p, 'key', 'E_UNKNOWN_KEY', { key: name, section: sectionName(at, ctx.fileLabel) }, unknownKeyHint(ctx, at, name));
    }
    case 'required': {
      const name = String(e.params.missingProperty);
      return finding(f, childPointer(at, name), 'value', 'E_REQUIRED', { key: name, section: sectionName(at, ctx.fileLabel) });
    }
    case 'type': {
      const types = Array.isArray(e.params.type) ? (e.params.type as string[]) : String(e.params.type).split(',');
      return finding(f, at, 'value', 'E_TYPE', { key, expected: typeList(types), actual: describeActual(value, at) });
    }
    case 'enum':
    case 'const': {
      const allowed = e.keyword === 'enum' ? (e.params.allowedValues as unknown[]) : [e.params.allowedValue];
      return finding(f, at, 'value', 'E_ENUM', { key, allowed: quoteList(allowed), actual: describeValueOnly(value, at) }, enumHint(value, allowed));
    }
    case 'choices': {
      const allowed = (e.params.choices as string[]).join(', ');
      return finding(f, at, 'value', 'E_ENUM', { key, allowed, actual: describeValueOnly(value, at) }, enumHint(value, e.params.values as unknown[]));
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'multipleOf':
      return finding(f, at, 'value', 'E_RANGE', { key, bound: boundWord(e.keyword, e.params.limit ?? e.params.multipleOf), actual: describeValueOnly(value, at) });
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties':
      return finding(f, at, 'value', 'E_LENGTH', { key, bound: lengthWord(e.keyword, e.params.limit) });
    case 'pattern':
      return finding(f, at, 'value', 'E_PATTERN', { key, form: patternWord(String(e.params.pattern)), actual: describeValueOnly(value, at) });
    case 'format':
      return finding(f, at, 'value', 'E_FORMAT', { key, format: String(e.params.format), actual: describeValueOnly(value, at) });
    case 'not': {
      // dependentSchemas/<key>/properties/<prop>/not: <prop> may not be combined with <key>.
      const m = /\/dependentSchemas\/([^/]+)\/properties\/[^/]+\/not$/.exec(e.schemaPath);
      const detail = m ? `cannot be combined with \`${m[1]}\` in the same table` : 'is not allowed here';
      return finding(f, at, 'key', 'E_SCHEMA', { key, detail });
    }
    case 'uniqueItems':
      return finding(f, childPointer(at, Number(e.params.i)), 'value', 'E_SCHEMA', { key, detail: `has a duplicate item (items ${Number(e.params.j) + 1} and ${Number(e.params.i) + 1} are equal)` });
    default:
      return finding(f, at, 'value', 'E_SCHEMA', { key, detail: e.message ?? `fails the ${e.keyword} rule` });
  }
}

export function schemaFindings(ctx: SchemaContext, errors: readonly SchemaError[]): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const e of foldCombinators(errors)) {
    const f = toFinding(ctx, e);
    const id = `${f.code}\0${f.pointer}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(f);
  }
  return out;
}
