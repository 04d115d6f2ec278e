// Typed entry points over the ajv standalone validators produced by scripts/generate.mjs.
// The generated modules are CommonJS and loaded on first use, so importing the package stays cheap
// and no schema is ever compiled at run time. Paths are relative to dist/src/ (the compiled file).
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import type { PgdogConfig, PgdogToml, UsersConfig, UsersToml } from '../generated/types.js';

export type { ErrorObject };

/** Validates a parsed TOML document; after a call, `errors` holds every problem found (or null). */
export interface Validator<T> {
  (data: unknown): data is T;
  errors: ErrorObject[] | null;
}

interface GeneratedFn {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}
interface Validators {
  validatePgdogToml: GeneratedFn;
  validateUsersToml: GeneratedFn;
}
interface Defaulters {
  defaultPgdogToml: GeneratedFn;
  defaultUsersToml: GeneratedFn;
}

interface RoutesValidator {
  validateRoutesJson: GeneratedFn;
}

const require = createRequire(import.meta.url);
let validators: Validators | undefined;
let defaulters: Defaulters | undefined;
const loadValidators = (): Validators => (validators ??= require('../../generated/validators.cjs') as Validators);
const loadDefaulters = (): Defaulters => (defaulters ??= require('../../generated/defaulters.cjs') as Defaulters);
let routes: RoutesValidator | undefined;
const loadRoutes = (): RoutesValidator => (routes ??= require('../../generated/routes-validator.cjs') as RoutesValidator);

function validator<T, M = Validators>(pick: (v: M) => GeneratedFn, load: () => M = loadValidators as () => M): Validator<T> {
  const fn = ((data: unknown): boolean => {
    const generated = pick(load());
    const ok = generated(data);
    fn.errors = ok ? null : (generated.errors ?? []);
    return ok;
  }) as Validator<T>;
  fn.errors = null;
  return fn;
}

/** Schema validation of a parsed pgdog.toml; never changes `data`. */
export const validatePgdogToml: Validator<PgdogToml> = validator((v) => v.validatePgdogToml);
/** Schema validation of a parsed users.toml; never changes `data`. */
export const validateUsersToml: Validator<UsersToml> = validator((v) => v.validateUsersToml);

/** Validation of a parsed routing table (routes.schema.json; `pgdog compile` output). The
 *  compiler owns the TypeScript type of the table and checks it against this schema in tests. */
export const validateRoutesJson: Validator<unknown> = validator((v: RoutesValidator) => v.validateRoutesJson, loadRoutes);

/** Raised when defaults are applied to a document that does not validate. */
export class InvalidDocumentError extends Error {
  readonly errors: ErrorObject[];
  constructor(file: string, errors: ErrorObject[]) {
    super(`${file} does not match its schema (${errors.length} error(s)); validate it first`);
    this.name = 'InvalidDocumentError';
    this.errors = errors;
  }
}

function fill(fn: GeneratedFn, data: unknown, file: string): void {
  if (!fn(data)) throw new InvalidDocumentError(file, fn.errors ?? []);
}

/** Fills every schema default into a valid parsed pgdog.toml, in place, and returns it. */
export function applyPgdogDefaults(data: PgdogToml): PgdogConfig {
  fill(loadDefaulters().defaultPgdogToml, data, 'pgdog.toml');
  return data as PgdogConfig;
}

/** Fills every schema default into a valid parsed users.toml, in place, and returns it. */
export function applyUsersDefaults(data: UsersToml): UsersConfig {
  fill(loadDefaulters().defaultUsersToml, data, 'users.toml');
  return data as UsersConfig;
}
