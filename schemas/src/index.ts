// @pgdog/schemas: the JSON Schemas of pgdog.toml / users.toml, validators generated from them at
// build time, and the TypeScript types derived from them.
export { pgdogSchema, usersSchema, routesSchema, unimplementedKeys, schemaPath } from './schema-files.js';
export type { JsonSchema, UnimplementedKey } from './schema-files.js';
export {
  validatePgdogToml,
  validateUsersToml,
  validateRoutesJson,
  applyPgdogDefaults,
  applyUsersDefaults,
  InvalidDocumentError,
} from './validate.js';
export type { Validator, ErrorObject } from './validate.js';
export type * from '../generated/types.js';
