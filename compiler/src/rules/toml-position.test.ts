import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'smol-toml';
import { decodeTomlString, tomlStringKind, tomlValuePosition } from './toml-position.js';

// Each raw value is placed in a file as `match = RAW` on line 3, so it starts at 3:9.
const LINE = 3;
const COLUMN = 9;

function fileOf(raw: string): string {
  return `[[query_rules]]\nname = "x"\nmatch = ${raw}\nroute = "primary"\n`;
}

function charAt(file: string, line: number, column: number): string {
  // Keep the line ends: a value may contain them.
  return file.split(/(?<=\n)/)[line - 1][column - 1];
}

const samples: [string, string][] = [
  ['basic', `"select and tabel = 'x'"`],
  ['basic', `"user = 'a\\\\b' and\\n  tabel = 'x' and query ~ '\\"' and user = '\\u00e9\\U0001F600\\t'"`],
  ['basic', `"a\\x41\\e\\b\\f\\r"`],
  ['literal', `'select and tabel = "x" and query ~ \\d'`],
  ['multiline-basic', `"""\n  select and\n  tabel = 'x' \\\n     \n    and update\\\n"""`],
  ['multiline-basic', `"""select and \\"" and \\u0041\n and ""x"" """`],
  ['multiline-basic', `"""\r\n  select\r\n  and tabel = 'x'"""`],
  ['multiline-basic', `"""ends with quotes ''"""""`],
  ['multiline-literal', `'''\n  select and\n  tabel = 'x' -- \\n stays\n'''`],
  ['multiline-literal', `'''\r\nselect\r\n and 'it''s'\r\n'''`],
  ['multiline-literal', `'''one line'''`],
];

test('decodeTomlString decodes exactly as smol-toml does, for every string kind', () => {
  for (const [kind, raw] of samples) {
    assert.equal(tomlStringKind(raw), kind, raw);
    const parsed = parse(fileOf(raw)) as { query_rules: { match: string }[] };
    assert.equal(decodeTomlString(raw).value, parsed.query_rules[0].match, raw);
  }
});

test('every decoded character maps back to its source character (or to its escape)', () => {
  for (const [, raw] of samples) {
    const file = fileOf(raw);
    const { value } = decodeTomlString(raw);
    for (let i = 0; i < value.length; i++) {
      const { line, column } = tomlValuePosition(LINE, COLUMN, raw, i);
      const src = charAt(file, line, column);
      // Either the character itself, or the backslash of the escape that produced it.
      assert.ok(src === value[i] || src === '\\', `${raw} @${i} -> ${line}:${column}: ${JSON.stringify(src)}`);
    }
  }
});

test('basic string: escapes shift columns; an escaped \\n does not start a file line', () => {
  const raw = `"user = 'a\\\\b' and\\n  tabel = 'x' and query ~ '\\"'"`;
  const { value } = decodeTomlString(raw);
  const at = value.indexOf('tabel');
  // In the expression `tabel` is on line 2; in the file it is on the value's line.
  assert.equal(value.slice(0, at), "user = 'a\\b' and\n  ");
  assert.deepEqual(tomlValuePosition(LINE, COLUMN, raw, at), { line: 3, column: COLUMN + raw.indexOf('tabel') });
  assert.deepEqual(tomlValuePosition(LINE, COLUMN, raw, 0), { line: 3, column: 10 });
  // The `"` inside the regex comes from `\"`: it maps to the backslash.
  assert.deepEqual(tomlValuePosition(LINE, COLUMN, raw, value.indexOf('"')), { line: 3, column: COLUMN + raw.indexOf('\\"') });
  // End of the value maps to the closing quote.
  assert.deepEqual(tomlValuePosition(LINE, COLUMN, raw, value.length), { line: 3, column: COLUMN + raw.length - 1 });
});

test('basic string: \\u and \\U escapes', () => {
  const raw = `"\\u0041\\U0001F600 x"`;
  const { value } = decodeTomlString(raw);
  assert.equal(value, 'A😀 x');
  assert.deepEqual(tomlValuePosition(1, 1, raw, 0), { line: 1, column: 2 });
  assert.deepEqual(tomlValuePosition(1, 1, raw, 1), { line: 1, column: 8 });
  assert.deepEqual(tomlValuePosition(1, 1, raw, 2), { line: 1, column: 8 });
  assert.deepEqual(tomlValuePosition(1, 1, raw, 4), { line: 1, column: 19 });
});

test('literal string: columns are the value start plus one plus the offset', () => {
  const raw = `'select and tabel'`;
  assert.deepEqual(tomlValuePosition(7, 12, raw, 11), { line: 7, column: 24 });
});

test('multi-line basic: first newline trimmed, line-ending backslash joins lines', () => {
  const raw = `"""\n  select and\n  tabel = 'x' \\\n     \n    and update"""`;
  const { value } = decodeTomlString(raw);
  assert.equal(value, "  select and\n  tabel = 'x' and update");
  assert.deepEqual(tomlValuePosition(LINE, COLUMN, raw, 0), { line: 4, column: 1 });
  assert.deepEqual(tomlValuePosition(LINE, COLUMN, raw, value.indexOf('select')), { line: 4, column: 3 });
  assert.deepEqual(tomlValuePosition(LINE, COLUMN, raw, value.indexOf('tabel')), { line: 5, column: 3 });
  assert.deepEqual(tomlValuePosition(LINE, COLUMN, raw, value.indexOf('update')), { line: 7, column: 9 });
  assert.deepEqual(tomlValuePosition(LINE, COLUMN, raw, value.length), { line: 7, column: 15 });
});

test('multi-line strings with CRLF line ends', () => {
  const raw = `"""\r\n  select\r\n  and tabel = 'x'"""`;
  const { value } = decodeTomlString(raw);
  assert.equal(value, "  select\r\n  and tabel = 'x'");
  assert.deepEqual(tomlValuePosition(LINE, COLUMN, raw, value.indexOf('tabel')), { line: 5, column: 7 });
  const lit = `'''\r\nselect\r\n and x'''`;
  assert.deepEqual(tomlValuePosition(LINE, COLUMN, lit, decodeTomlString(lit).value.indexOf('x')), { line: 5, column: 6 });
});

test('multi-line literal: no escapes, first newline trimmed', () => {
  const raw = `'''\n  select and\n  tabel = 'x' -- \\n stays\n'''`;
  const { value } = decodeTomlString(raw);
  assert.equal(value, "  select and\n  tabel = 'x' -- \\n stays\n");
  assert.deepEqual(tomlValuePosition(LINE, COLUMN, raw, value.indexOf('tabel')), { line: 5, column: 3 });
  assert.deepEqual(tomlValuePosition(LINE, COLUMN, raw, value.indexOf('\\n')), { line: 5, column: 18 });
  const oneLine = `'''a b'''`;
  assert.deepEqual(tomlValuePosition(2, 5, oneLine, 2), { line: 2, column: 10 });
});

test('offsets out of range are clamped', () => {
  assert.deepEqual(tomlValuePosition(1, 1, `'ab'`, -3), { line: 1, column: 2 });
  assert.deepEqual(tomlValuePosition(1, 1, `'ab'`, 99), { line: 1, column: 4 });
  assert.throws(() => tomlStringKind('abc'), /not a TOML string/);
});
