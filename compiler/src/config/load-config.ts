// The config pipeline: read both files -> TOML values -> JSON Schema -> semantic checks ->
// frozen config with defaults. Every problem in both files is collected; positions are looked up
// only at the end, and only if something is reported.

import {
  pgdogSchema,
  unimplementedKeys,
  usersSchema,
  validatePgdogToml,
  validateUsersToml,
} from '@pgdog/schemas';
import { configDiagnostic, type ConfigFileKind, type Diagnostic } from '../errors.js';
import type { Finding } from './finding.js';
import { loadFile, type LoadedFile } from './load.js';
import { locate } from './locate.js';
import { normalizeConfig } from './normalize.js';
import type { Position, PositionMap } from './positions.js';
import type { Table } from './shape.js';
import { tomlStringAt } from './toml-string-at.js';
import { tomlValuePosition } from '../rules/toml-position.js';
import { schemaFindings, type SchemaError } from './schema-errors.js';
import { checkSemantics } from './semantic.js';
import { semanticDefaults } from './semantic-defaults.js';
import type { LoadConfigOptions, LoadConfigResult } from './types.js';
import { unimplementedFindings } from './unimplemented.js';
import { validationView, type ValidationView } from './validation-view.js';

type Schema = Record<string, unknown>;

const FILE_LABEL: Record<ConfigFileKind, string> = { pgdog: 'pgdog.toml', users: 'users.toml' };

export async function loadConfig(options: LoadConfigOptions): Promise<LoadConfigResult> {
  const [pgdog, users] = await Promise.all([loadFile(options.configPath, 'pgdog'), loadFile(options.usersPath, 'users')]);
  return checkConfig(pgdog, users);
}

interface Checked {
  file: LoadedFile;
  view: ValidationView | undefined;
  valid: boolean;
}

function validate(file: LoadedFile): { checked: Checked; findings: Finding[] } {
  if (!file.data) return { checked: { file, view: undefined, valid: false }, findings: [] };
  const view = validationView(file.data);
  const validator = file.kind === 'pgdog' ? validatePgdogToml : validateUsersToml;
  if (validator(view.data)) return { checked: { file, view, valid: true }, findings: [] };
  const other: ConfigFileKind = file.kind === 'pgdog' ? 'users' : 'pgdog';
  const ctx = {
    file: file.kind,
    fileLabel: FILE_LABEL[file.kind],
    data: file.data,
    schema: (file.kind === 'pgdog' ? pgdogSchema : usersSchema) as Schema,
    otherSchema: (other === 'pgdog' ? pgdogSchema : usersSchema) as Schema,
    otherLabel: FILE_LABEL[other],
  };
  return { checked: { file, view, valid: false }, findings: schemaFindings(ctx, (validator.errors ?? []) as SchemaError[]) };
}

/** Everything after reading: exposed so tests and reloads can feed already-loaded files. */
export async function checkConfig(pgdogFile: LoadedFile, usersFile: LoadedFile): Promise<LoadConfigResult> {
  const findings: Finding[] = [...pgdogFile.findings, ...usersFile.findings];
  const pg = validate(pgdogFile);
  const us = validate(usersFile);
  findings.push(...pg.findings, ...us.findings);
  const defaults = semanticDefaults(pgdogSchema as Schema, usersSchema as Schema);
  findings.push(...checkSemantics(pgdogFile.data ?? undefined, usersFile.data ?? undefined, defaults));
  if (pgdogFile.data) findings.push(...unimplementedFindings('pgdog', pgdogFile.data, unimplementedKeys));
  if (hasQueryRules(pgdogFile.data)) {
    // Lazy: the rule compiler (chevrotain) is only loaded for configs that have rules.
    const { checkQueryRules } = await import('./semantic-rules.js');
    findings.push(...checkQueryRules(pgdogFile.data as Table));
  }
  if (usersFile.data) findings.push(...unimplementedFindings('users', usersFile.data, unimplementedKeys));

  const diagnostics = await resolve(findings, { pgdog: pgdogFile, users: usersFile });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  let config: LoadConfigResult['config'] = null;
  if (errors.length === 0 && pg.checked.valid && us.checked.valid && pg.checked.view && us.checked.view) {
    config = normalizeConfig(pg.checked.view.data, us.checked.view.data, pg.checked.view.bigints, {
      configPath: pgdogFile.path,
      usersPath: usersFile.path,
      configSha256: pgdogFile.sha256 as string,
      usersSha256: usersFile.sha256 as string,
    });
  }
  return { config, errors, warnings };
}

function hasQueryRules(data: unknown): boolean {
  const rules = (data as { query_rules?: unknown } | null | undefined)?.query_rules;
  return Array.isArray(rules) && rules.length > 0;
}

/** Where an offset inside a string value lands in the file; the value's start if unknown. */
function innerPosition(text: string, value: Position, inner: number): Position {
  const raw = tomlStringAt(text, value);
  return raw === null ? value : tomlValuePosition(value.line, value.column, raw, inner);
}

async function resolve(findings: readonly Finding[], files: Record<ConfigFileKind, LoadedFile>): Promise<Diagnostic[]> {
  if (findings.length === 0) return [];
  const maps = new Map<ConfigFileKind, PositionMap>();
  let build: ((text: string) => PositionMap) | undefined;
  const mapOf = async (kind: ConfigFileKind): Promise<PositionMap> => {
    let map = maps.get(kind);
    if (!map) {
      // Lazy: the second TOML parser is only loaded when there is something to point at.
      build ??= (await import('./positions.js')).buildPositionMap;
      map = build(files[kind].text ?? '');
      maps.set(kind, map);
    }
    return map;
  };
  const out: { kind: ConfigFileKind; d: Diagnostic }[] = [];
  for (const f of findings) {
    const file = files[f.file];
    let position = f.position;
    let params = f.params;
    if (!position || f.related !== undefined) {
      const map = await mapOf(f.file);
      position ??= locate(map, f.pointer, f.anchor);
      if (f.inner !== undefined) position = innerPosition(file.text ?? '', position, f.inner);
      if (f.related !== undefined) params = { ...params, relatedLine: locate(map, f.related, 'value').line } as typeof params;
    }
    const site = { file: file.path, line: position.line, column: position.column, pointer: f.pointer };
    out.push({ kind: f.file, d: configDiagnostic(f.code, site, params, f.hint) });
  }
  const order = (k: ConfigFileKind) => (k === 'pgdog' ? 0 : 1);
  out.sort((a, b) => order(a.kind) - order(b.kind) || a.d.line - b.d.line || a.d.column - b.d.column || a.d.code.localeCompare(b.d.code));
  return out.map((x) => x.d);
}
