// Derives TypeScript types from our JSON Schemas, so the types can never drift from the schemas.
// Two flavours per object: `<Name>Toml` (what a user may write: optional unless `required`) and
// `<Name>Config` (after defaults are filled: a key with a `default` is required too).
// Supports only the schema features our schemas use; anything else is an error, not a silent `unknown`.

const MODES = {
  input: { suffix: 'Toml', present: (schema, key) => schema.required?.includes(key) ?? false },
  normalized: {
    suffix: 'Config',
    present: (schema, key) => (schema.required?.includes(key) ?? false) || schema.properties[key].default !== undefined,
  },
};

const pascal = (key) => key.split(/[_\-\s]+/).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
const singular = (key) => (key.endsWith('s') ? key.slice(0, -1) : key);

function jsdoc(schema, indent) {
  const lines = [];
  if (schema.description) lines.push(...schema.description.split('\n'));
  if (schema.default !== undefined) lines.push(`@default ${JSON.stringify(schema.default)}`);
  if (schema.deprecated) lines.push('@deprecated');
  if (lines.length === 0) return '';
  const safe = lines.map((l) => l.replaceAll('*/', '*\\/'));
  if (safe.length === 1) return `${indent}/** ${safe[0]} */\n`;
  return `${indent}/**\n${safe.map((l) => `${indent} * ${l}`).join('\n')}\n${indent} */\n`;
}

/** A pattern like `^shard:[0-9]+$` becomes the template literal type `shard:${number}`. */
function patternType(pattern) {
  const m = /^\^([A-Za-z_:.-]*)\[0-9\]\+\$$/.exec(pattern);
  return m ? `\`${m[1]}\${number}\`` : 'string';
}

function union(types) {
  const unique = [...new Set(types)];
  return unique.includes('string') ? unique.filter((t) => t === 'string' || !t.startsWith("'")).join(' | ') : unique.join(' | ');
}

class TypeEmitter {
  constructor() {
    /** name -> emitted declaration text, in first-emitted order */
    this.declarations = new Map();
  }

  declare(name, text) {
    const existing = this.declarations.get(name);
    if (existing !== undefined && existing !== text) throw new Error(`ts-types: two different definitions named ${name}`);
    this.declarations.set(name, text);
  }

  /** Emits the root object of one schema file as `<rootName>Toml` and `<rootName>Config`. */
  emitRoot(schema, rootName) {
    this.root = schema;
    for (const mode of Object.keys(MODES)) this.namedObject(schema, rootName, mode, true);
  }

  resolveRef(ref) {
    const m = /^#\/\$defs\/([A-Za-z0-9_]+)$/.exec(ref);
    if (!m || !this.root.$defs?.[m[1]]) throw new Error(`ts-types: unsupported or dangling $ref ${ref}`);
    return { name: m[1], schema: this.root.$defs[m[1]] };
  }

  isObject(schema) {
    return schema.type === 'object' && schema.properties !== undefined;
  }

  /** Type expression for `schema`; `hint` names inline objects that deserve their own interface. */
  type(schema, mode, hint) {
    if (schema.$ref) {
      const { name, schema: target } = this.resolveRef(schema.$ref);
      if (this.isObject(target)) return this.namedObject(target, name, mode, false);
      if (!this.declarations.has(name)) this.declare(name, `${jsdoc(target, '')}export type ${name} = ${this.type(target, mode)};\n`);
      return name;
    }
    if (schema.enum) return schema.enum.map((v) => JSON.stringify(v).replaceAll('"', "'")).join(' | ');
    if (schema.const !== undefined) return JSON.stringify(schema.const).replaceAll('"', "'");
    const branches = schema.anyOf ?? schema.oneOf;
    if (branches) return union(branches.map((b) => this.type(b, mode)));
    switch (schema.type) {
      case 'string':
        return schema.pattern && schema.pattern.startsWith('^') ? patternType(schema.pattern) : 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array': {
        const item = this.type(schema.items, mode, hint ? singular(hint) : undefined);
        return /[ |]/.test(item) ? `Array<${item}>` : `${item}[]`;
      }
      case 'object':
        if (schema.properties) return hint ? this.namedObject(schema, pascal(hint), mode, false) : this.inlineObject(schema, mode, '');
        if (typeof schema.additionalProperties === 'object') return `{ [key: string]: ${this.type(schema.additionalProperties, mode)} }`;
        throw new Error('ts-types: object schema without properties or additionalProperties schema');
      default:
        throw new Error(`ts-types: unsupported schema ${JSON.stringify(schema).slice(0, 120)}`);
    }
  }

  namedObject(schema, base, mode, isRoot) {
    const name = `${base}${MODES[mode].suffix}`;
    if (!this.declarations.has(name)) {
      this.declarations.set(name, ''); // reserve the slot (keeps order stable, stops recursion)
      const body = this.members(schema, mode, '  ', isRoot);
      this.declarations.set(name, `${jsdoc({ description: schema.description }, '')}export interface ${name} {\n${body}}\n`);
    }
    return name;
  }

  inlineObject(schema, mode, indent) {
    return `{\n${this.members(schema, mode, `${indent}  `, false)}${indent}}`;
  }

  members(schema, mode, indent, isRoot) {
    let out = '';
    for (const [key, prop] of Object.entries(schema.properties)) {
      const optional = MODES[mode].present(schema, key) ? '' : '?';
      // Sections and table arrays at the root get their own named types; deeper objects stay inline.
      const t = this.type(prop, mode, isRoot ? key : undefined);
      out += `${jsdoc(prop, indent)}${indent}${key}${optional}: ${t};\n`;
    }
    return out;
  }

  render(header) {
    return `${header}\n${[...this.declarations.values()].join('\n')}`;
  }
}

/** @param {{schema: object, rootName: string}[]} files */
export function generateTypes(files, header) {
  const emitter = new TypeEmitter();
  for (const { schema, rootName } of files) emitter.emitRoot(schema, rootName);
  return emitter.render(header);
}
