// The result of loading a config: what the runtime and the routing compiler consume.

import type { PgdogConfig, UsersConfig } from '@pgdog/schemas';
import type { Diagnostic } from '../errors.js';

export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** pgdog.toml with every default filled in; the early `[[servers]]` form is folded into `databases`. */
export type PgdogSettings = Omit<PgdogConfig, 'servers'>;

export interface ConfigSources {
  /** Paths as given by the caller. */
  configPath: string;
  usersPath: string;
  /** sha256 (hex) of each file's bytes: compiled artefacts record them to detect staleness. */
  configSha256: string;
  usersSha256: string;
}

export interface NormalizedConfig {
  pgdog: PgdogSettings;
  users: UsersConfig;
  sources: ConfigSources;
}

export interface LoadConfigOptions {
  configPath: string;
  usersPath: string;
}

export interface LoadConfigResult {
  /** Deep-frozen; null when there is any error. */
  config: DeepReadonly<NormalizedConfig> | null;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}
