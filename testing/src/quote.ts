/** SQL identifier, always quoted (test role names may be keywords or mixed case). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** SQL string literal; standard_conforming_strings is on in every supported version. */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export type SettingValue = string | number | boolean;

/** `name = value` lines for postgresql.conf; strings are quoted so units and lists survive. */
export function renderSettings(settings: Readonly<Record<string, SettingValue>>): string {
  return Object.entries(settings)
    .map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(k)) throw new Error(`invalid setting name: ${k}`);
      const value = typeof v === 'string' ? quoteLiteral(v).replace(/\\/g, '\\\\') : String(v);
      return `${k} = ${value}\n`;
    })
    .join('');
}

/** libpq keyword/value conninfo value (for primary_conninfo). */
export function conninfoValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
