// Cross-references from sharding and routing sections to [[databases]]: every `database` must
// exist, sharding config needs a sharded database, shard numbers must exist, tables are
// configured once.

import { suggest } from './suggest.js';
import { clash, finding, type Finding } from './finding.js';
import type { DatabaseIndex } from './database-index.js';
import { checkMappings } from './semantic-mappings.js';
import type { SemanticDefaults } from './semantic-defaults.js';
import { childPointer } from './pointer.js';
import { asArray, asTable, bool, has, int, str, tablesOf, type Table } from './shape.js';

interface TableRef {
  database: string;
  schema: string | undefined;
  name: string;
  pointer: string;
  kind: 'a sharded table' | 'an omnisharded table';
}

class ShardingChecks {
  readonly out: Finding[] = [];
  private readonly tables: TableRef[] = [];

  /** pgDog's way to plan sharding: sharding config on a single shard, decisions only recorded. */
  private readonly dryRun: boolean;

  constructor(
    private readonly pgdog: Table,
    private readonly index: DatabaseIndex,
    private readonly d: SemanticDefaults,
  ) {
    this.dryRun = bool(asTable(pgdog.general), 'dry_run') === true;
  }

  /** The referenced database if it exists (and is sharded, when `what` names what needs that). */
  ref(item: Table, key: string, itemPointer: string, where: string, what?: string): { name: string; shardCount: number } | undefined {
    const name = str(item, key);
    if (name === undefined) return undefined;
    const at = childPointer(itemPointer, key);
    const info = this.index.get(name);
    if (!info) {
      const close = suggest(name, this.index.keys());
      this.out.push(finding('pgdog', at, 'value', 'E_UNKNOWN_DATABASE', { database: name, where }, close ? `did you mean \`${close}\`?` : undefined));
      return undefined;
    }
    if (what !== undefined && info.shardCount === 1 && !this.dryRun) {
      this.out.push(finding('pgdog', at, 'value', 'E_NOT_SHARDED', { database: name, what }));
      return undefined;
    }
    return { name, shardCount: info.shardCount };
  }

  shardInRange(item: Table, itemPointer: string, db: { name: string; shardCount: number } | undefined): void {
    const shard = int(item, 'shard');
    if (db && shard !== undefined && shard >= db.shardCount) {
      this.out.push(finding('pgdog', childPointer(itemPointer, 'shard'), 'value', 'E_SHARD_OUT_OF_RANGE', { database: db.name, shard, count: db.shardCount }));
    }
  }

  /** A table without a schema matches that table name in any schema. */
  table(ref: TableRef): void {
    const other = this.tables.find(
      (t) => t.database === ref.database && t.name === ref.name && (t.schema === undefined || ref.schema === undefined || t.schema === ref.schema),
    );
    if (other) {
      const label = '`' + (ref.schema ? ref.schema + '.' : '') + ref.name + '`';
      this.out.push(clash('pgdog', ref.pointer, 'value', 'E_DUPLICATE_TABLE', { table: label, database: ref.database, other: other.kind }, other.pointer));
    } else {
      this.tables.push(ref);
    }
  }

  shardedTables(): void {
    for (const { index, item } of tablesOf(this.pgdog, 'sharded_tables')) {
      const at = childPointer('/sharded_tables', index);
      const name = str(item, 'name');
      const column = str(item, 'column');
      const label = name !== undefined ? `sharded table \`${name}\`` : `sharded column \`${column ?? ''}\``;
      const db = this.ref(item, 'database', at, label, label);
      const database = str(item, 'database');
      if (database !== undefined) {
        // Column-only entries (no `name`) apply to every table with that column.
        const ref = name !== undefined ? name : `(any table).${column ?? ''}`;
        const atName = childPointer(at, name !== undefined ? 'name' : 'column');
        this.table({ database, schema: str(item, 'schema'), name: ref, pointer: atName, kind: 'a sharded table' });
      }
      const dataType = has(item, 'data_type') ? str(item, 'data_type') : this.d.dataType;
      if (dataType !== undefined) {
        this.out.push(...checkMappings({ pointer: at, item, dataType, database: database ?? '', shardCount: db?.shardCount }));
      }
    }
  }

  omnishardedTables(): void {
    for (const { index, item } of tablesOf(this.pgdog, 'omnisharded_tables')) {
      const at = childPointer('/omnisharded_tables', index);
      this.ref(item, 'database', at, '[[omnisharded_tables]] entry', '[[omnisharded_tables]] entry');
      const database = str(item, 'database');
      if (database === undefined) continue;
      asArray(item.tables)?.forEach((t, k) => {
        if (typeof t !== 'string') return;
        const dot = t.indexOf('.');
        const ref = dot > 0 ? { schema: t.slice(0, dot), name: t.slice(dot + 1) } : { schema: undefined, name: t };
        this.table({ database, ...ref, pointer: childPointer(childPointer(at, 'tables'), k), kind: 'an omnisharded table' });
      });
    }
  }

  otherReferences(): void {
    for (const { index, item } of tablesOf(this.pgdog, 'sharded_schemas')) {
      const at = childPointer('/sharded_schemas', index);
      this.shardInRange(item, at, this.ref(item, 'database', at, '[[sharded_schemas]] entry', '[[sharded_schemas]] entry'));
    }
    for (const { index, item } of tablesOf(this.pgdog, 'sharded_mappings')) {
      const at = childPointer('/sharded_mappings', index);
      this.shardInRange(item, at, this.ref(item, 'database', at, '[[sharded_mappings]] entry', '[[sharded_mappings]] entry'));
    }
    for (const { index, item } of tablesOf(this.pgdog, 'mirroring')) {
      const at = childPointer('/mirroring', index);
      this.ref(item, 'source_db', at, '[[mirroring]] source_db');
      this.ref(item, 'destination_db', at, '[[mirroring]] destination_db');
    }
    for (const { index, item } of tablesOf(this.pgdog, 'query_parsers')) {
      this.ref(item, 'database', childPointer('/query_parsers', index), '[[query_parsers]] entry');
    }
  }

  queryRules(): void {
    const names = new Map<string, string>();
    for (const { index, item } of tablesOf(this.pgdog, 'query_rules')) {
      const at = childPointer('/query_rules', index);
      const name = str(item, 'name');
      if (name !== undefined) {
        const earlier = names.get(name);
        if (earlier) this.out.push(clash('pgdog', childPointer(at, 'name'), 'value', 'E_DUPLICATE_RULE', { name }, earlier));
        else names.set(name, at);
      }
      const db = this.ref(item, 'database', at, `query rule \`${name ?? index}\``);
      const route = str(item, 'route');
      const m = route === undefined ? null : /^shard:(\d+)$/.exec(route);
      if (db && m && Number(m[1]) >= db.shardCount) {
        this.out.push(finding('pgdog', childPointer(at, 'route'), 'value', 'E_SHARD_OUT_OF_RANGE', { database: db.name, shard: Number(m[1]), count: db.shardCount }));
      }
    }
  }
}

export function checkSharding(pgdog: Table, index: DatabaseIndex, d: SemanticDefaults): Finding[] {
  const c = new ShardingChecks(pgdog, index, d);
  c.shardedTables();
  c.omnishardedTables();
  c.otherReferences();
  c.queryRules();
  return c.out;
}
