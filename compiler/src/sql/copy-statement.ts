// COPY: the table, its column order (the runtime splits rows by it) and the row format.
import type { CopyStmt, Node } from 'libpg-query';
import type { CopyInfo, CopyOption, TableName } from './types.js';

export function copyInfo(s: CopyStmt, table: TableName | null): CopyInfo {
  const options: CopyOption[] = [];
  for (const o of s.options ?? []) {
    if ('DefElem' in o) options.push({ name: o.DefElem.defname ?? '', value: optionText(o.DefElem.arg) });
  }
  const get = (name: string): string | null | undefined => options.find((o) => o.name === name)?.value;
  const format = get('format');
  const header = get('header');
  return {
    table,
    columns: s.attlist ? s.attlist.map((a) => ('String' in a ? a.String.sval ?? '' : '')) : null,
    direction: s.is_from ? 'from' : 'to',
    stdio: s.filename === undefined && !s.is_program,
    query: s.query !== undefined,
    format: format === 'csv' || format === 'binary' ? format : 'text',
    delimiter: get('delimiter') ?? null,
    // HEADER with no argument means true; HEADER MATCH also means a header line is present.
    header: header !== undefined && header !== 'false' && header !== 'off' && header !== '0',
    quote: get('quote') ?? null,
    escape: get('escape') ?? null,
    null: get('null') ?? null,
    options,
  };
}

function optionText(arg: Node | undefined): string | null {
  if (arg === undefined) return null;
  if ('String' in arg) return arg.String.sval ?? '';
  if ('Boolean' in arg) return String(arg.Boolean.boolval ?? false);
  if ('Integer' in arg) return String(arg.Integer.ival ?? 0);
  if ('Float' in arg) return arg.Float.fval ?? '0';
  if ('A_Star' in arg) return '*';
  if ('List' in arg) {
    return (arg.List.items ?? []).map((i) => ('String' in i ? i.String.sval ?? '' : '')).join(',');
  }
  return null;
}
