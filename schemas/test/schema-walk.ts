// Walks every subschema of a schema document, reporting each with its schema path.
type Schema = { [k: string]: unknown };

const MAP_KEYWORDS = ['properties', '$defs', 'dependentSchemas'];
const ARRAY_KEYWORDS = ['anyOf', 'oneOf', 'allOf'];
const SINGLE_KEYWORDS = ['items', 'not', 'additionalProperties'];

export function walkSchema(schema: Schema, visit: (s: Schema, path: string, parentKeyword: string) => void, path = '#', parentKeyword = ''): void {
  visit(schema, path, parentKeyword);
  for (const kw of MAP_KEYWORDS) {
    const map = schema[kw] as Record<string, Schema> | undefined;
    if (map) for (const [k, sub] of Object.entries(map)) walkSchema(sub, visit, `${path}/${kw}/${k}`, kw);
  }
  for (const kw of ARRAY_KEYWORDS) {
    const list = schema[kw] as Schema[] | undefined;
    if (list) list.forEach((sub, i) => walkSchema(sub, visit, `${path}/${kw}/${i}`, kw));
  }
  for (const kw of SINGLE_KEYWORDS) {
    const sub = schema[kw];
    if (sub !== undefined && typeof sub === 'object') walkSchema(sub as Schema, visit, `${path}/${kw}`, kw);
  }
}

/** Follows a local `$ref` (`#/$defs/Name`) inside `root`. */
export function deref(root: Schema, schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = /^#\/\$defs\/(\w+)$/.exec(ref)?.[1];
  const target = name ? (root.$defs as Record<string, Schema>)[name] : undefined;
  if (!target) throw new Error(`dangling $ref ${ref}`);
  return target;
}
