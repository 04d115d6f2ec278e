// The `options` startup parameter as PostgreSQL reads it: words split on whitespace, a backslash
// keeps the next character (pg_split_opts), then `-c name=value` / `-cname=value` /
// `--name=value` set parameters, with dashes in the name read as underscores.

export interface StartupSetting {
  readonly name: string;
  readonly value: string;
}

export function splitOptions(options: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < options.length; i++) {
    const ch = options[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === '\\' && i + 1 < options.length) word += options[++i];
    else word += ch;
  }
  if (inWord) words.push(word);
  return words;
}

/** Settings named in `options`; other switches are not parameters and are left out. */
export function parseStartupOptions(options: string): StartupSetting[] {
  const words = splitOptions(options);
  const out: StartupSetting[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    let assignment: string | null = null;
    if (w === '-c' && i + 1 < words.length) assignment = words[++i];
    else if (w.startsWith('-c') && w.length > 2) assignment = w.slice(2);
    else if (w.startsWith('--') && w.length > 2) assignment = w.slice(2);
    if (assignment === null) continue;
    const eq = assignment.indexOf('=');
    if (eq <= 0) continue;
    out.push({ name: assignment.slice(0, eq).replace(/-/g, '_').toLowerCase(), value: assignment.slice(eq + 1) });
  }
  return out;
}
