// SQL text pgdog writes itself (parameter sync): values and names quoted so no client-supplied
// text can end the literal or the identifier.

/** E'' literal: backslashes and quotes escaped, so standard_conforming_strings does not matter. */
export function quoteLiteral(value: string): string {
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A GUC name; custom names (`app.user_id`) are quoted part by part, as the grammar joins them. */
export function quoteParameterName(name: string): string {
  return name.split('.').map(quoteIdentifier).join('.');
}
