export { loadConfig, checkConfig } from './config/load-config.js';
export { loadFile, parseToml, MAX_CONFIG_BYTES } from './config/load.js';
export type { LoadedFile, TomlTable } from './config/load.js';
export { deepFreeze } from './config/normalize.js';
export type { NormalizedConfig, PgdogSettings, ConfigSources, LoadConfigOptions, LoadConfigResult, DeepReadonly } from './config/types.js';
export { configCodes, configDiagnostic, isIoDiagnostic, stageOf } from './errors.js';
export type { Diagnostic, DiagnosticSite, Severity, Stage, ConfigCode, CodeParams, ConfigFileKind } from './errors.js';
export * from './sql/index.js';
export * from './routing/index.js';
// The query-rule compiler (chevrotain, ~270 ms to import) is not re-exported here, so that
// `pgdog validate` stays fast: import it from '@pgdog/compiler/rules'.
export * from './cross-shard/index.js';
