// How a name in a rule (`table = 'x'`, `calls(f)`) matches the names a statement uses.
//
// - An unqualified pattern `x` matches `x` in any schema: `x`, `public.x`, `sales.x`.
// - A qualified pattern `s.x` matches `s.x`; it also matches a bare `x` when `s` is the default
//   schema of the namespace (`public` for tables, as with the default search_path; none for
//   functions, whose resolution we cannot know).
// - A regex matches a name when it finds a match in the bare name (`x`) or in the qualified name
//   (`s.x`, or `public.x` for a bare table `x`).
// Comparisons are exact (case-sensitive): the SQL analyzer reports unquoted identifiers folded
// to lower case, as PostgreSQL does.

export interface Namespace {
  defaultSchema: string | null;
}

export const TABLES: Namespace = { defaultSchema: 'public' };
export const FUNCTIONS: Namespace = { defaultSchema: null };

export function isQualified(name: string): boolean {
  return name.includes('.');
}

export function bareName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? name : name.slice(dot + 1);
}

export function qualifiedName(name: string, ns: Namespace): string {
  return isQualified(name) || ns.defaultSchema === null ? name : `${ns.defaultSchema}.${name}`;
}

/** `= pattern` for one statement name. */
export function nameMatches(pattern: string, name: string, ns: Namespace): boolean {
  return isQualified(pattern) ? qualifiedName(name, ns) === pattern : bareName(name) === pattern;
}

/** A test "some name of the statement matches one of the patterns", with the sets built once. */
export function compileNameSet(patterns: readonly string[], ns: Namespace): (names: readonly string[]) => boolean {
  const bare = new Set<string>();
  const qualified = new Set<string>();
  // Bare statement names that a qualified pattern in the default schema also covers.
  const defaultSchemaBare = new Set<string>();
  for (const p of patterns) {
    if (!isQualified(p)) bare.add(p);
    else {
      qualified.add(p);
      if (ns.defaultSchema !== null && p.slice(0, p.lastIndexOf('.')) === ns.defaultSchema) defaultSchemaBare.add(bareName(p));
    }
  }
  if (patterns.length === 1 && bare.size === 1) {
    const x = patterns[0];
    const n = x.length;
    return (names) => {
      for (let i = 0; i < names.length; i++) {
        const t = names[i];
        if (t === x || (t.length > n && t.charCodeAt(t.length - n - 1) === 46 && t.endsWith(x))) return true;
      }
      return false;
    };
  }
  const anyBare = bare.size > 0;
  return (names) => {
    for (let i = 0; i < names.length; i++) {
      const t = names[i];
      const dot = t.lastIndexOf('.');
      if (dot < 0) {
        if (bare.has(t) || defaultSchemaBare.has(t)) return true;
      } else if (qualified.has(t) || (anyBare && bare.has(t.slice(dot + 1)))) return true;
    }
    return false;
  };
}

/** A test "some name of the statement matches the regex". */
export function compileNameRegex(re: RegExp, ns: Namespace): (names: readonly string[]) => boolean {
  return (names) => {
    for (let i = 0; i < names.length; i++) {
      const t = names[i];
      const dot = t.lastIndexOf('.');
      if (dot < 0) {
        if (re.test(t) || (ns.defaultSchema !== null && re.test(`${ns.defaultSchema}.${t}`))) return true;
      } else if (re.test(t.slice(dot + 1)) || re.test(t)) return true;
    }
    return false;
  };
}

/** Every statement name that `inner` matches is also matched by `outer` (used by analysis). */
export function patternCovers(outer: string, inner: string): boolean {
  return isQualified(outer) ? inner === outer : bareName(inner) === outer;
}

/** Every statement name that `pattern` matches is matched by `re` (sufficient, not necessary). */
export function regexCoversPattern(re: RegExp, pattern: string): boolean {
  return re.test(bareName(pattern)) || (isQualified(pattern) && re.test(pattern));
}
