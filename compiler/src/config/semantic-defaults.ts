// The few schema defaults that cross-reference checks need before defaults are applied (they run
// on documents that may be invalid, which the defaults applier does not accept). Read from the
// JSON Schema so that the schema stays the single source of truth.

export interface SemanticDefaults {
  port: number;
  shard: number;
  role: string;
  dataType: string;
  authType: string;
  passthroughAuth: string;
  tlsVerify: string;
  serverAuth: string;
}

type Schema = Record<string, unknown>;

function resolveRef(root: Schema, node: Schema): Schema {
  let cur = node;
  for (let hops = 0; typeof cur.$ref === 'string' && hops < 16; hops++) {
    const ref = cur.$ref as string;
    if (!ref.startsWith('#/')) break;
    let target: unknown = root;
    for (const seg of ref.slice(2).split('/')) target = (target as Schema | undefined)?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (target === null || typeof target !== 'object') break;
    cur = target as Schema;
  }
  return cur;
}

/** The subschema for a path of property names ('*' = array items), following $refs. */
export function subschemaAt(root: Schema, path: readonly string[]): Schema | undefined {
  let cur: Schema | undefined = resolveRef(root, root);
  for (const seg of path) {
    if (!cur) return undefined;
    const next: unknown = seg === '*' ? cur.items : (cur.properties as Schema | undefined)?.[seg];
    if (next === null || typeof next !== 'object') return undefined;
    cur = resolveRef(root, next as Schema);
  }
  return cur;
}

export function schemaDefault(root: Schema, path: readonly string[]): unknown {
  return subschemaAt(root, path)?.default;
}

export function semanticDefaults(pgdogSchema: Schema, usersSchema: Schema): SemanticDefaults {
  const pick = <T>(schema: Schema, path: string[], type: 'string' | 'number', fallback: T): T => {
    const v = schemaDefault(schema, path);
    return typeof v === type ? (v as T) : fallback;
  };
  // Fallbacks are pgDog's documented defaults, used only if the schema ever stops declaring them.
  return {
    port: pick(pgdogSchema, ['databases', '*', 'port'], 'number', 5432),
    shard: pick(pgdogSchema, ['databases', '*', 'shard'], 'number', 0),
    role: pick(pgdogSchema, ['databases', '*', 'role'], 'string', 'primary'),
    dataType: pick(pgdogSchema, ['sharded_tables', '*', 'data_type'], 'string', 'bigint'),
    authType: pick(pgdogSchema, ['general', 'auth_type'], 'string', 'scram'),
    passthroughAuth: pick(pgdogSchema, ['general', 'passthrough_auth'], 'string', 'disabled'),
    tlsVerify: pick(pgdogSchema, ['general', 'tls_verify'], 'string', 'prefer'),
    serverAuth: pick(usersSchema, ['users', '*', 'server_auth'], 'string', 'password'),
  };
}
