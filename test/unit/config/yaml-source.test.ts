import { describe, expect, test } from 'vitest';
import { closest, editDistance, unknownKeyMessage } from '../../../src/config/suggest.js';
import { parseYamlSource } from '../../../src/config/yaml-source.js';

describe('parseYamlSource', () => {
  const text = ['base: &b', '  cpu: 50%', 'agents:', '  pm:', '    limits: *b', '    after:', '      - dev', '      - qa', ''].join('\n');
  const src = parseYamlSource('t.yaml', text);

  test('keeps the plain value, with YAML 1.2 scalars (off stays a string)', () => {
    expect(parseYamlSource('x', 'a: off\nb: yes\nc: false\nd: 0x10\n').value).toEqual({ a: 'off', b: 'yes', c: false, d: 16 });
    expect(src.value).toMatchObject({ agents: { pm: { limits: { cpu: '50%' }, after: ['dev', 'qa'] } } });
  });

  test('locates keys, values and list items, 1-based', () => {
    expect(src.problem(['agents', 'pm'], 'm', 'key')).toEqual({ file: 't.yaml', line: 4, col: 3, message: 'm' });
    expect(src.problem(['agents', 'pm', 'after', 1], 'm')).toMatchObject({ line: 8, col: 9 });
    expect(src.problem(['agents', 'pm', 'after'], 'm', 'key')).toMatchObject({ line: 6, col: 5 });
  });

  test('follows aliases', () => {
    expect(src.problem(['agents', 'pm', 'limits', 'cpu'], 'm')).toMatchObject({ line: 2, col: 8 });
  });

  test('a path that goes past the document points at the deepest key that exists', () => {
    expect(src.problem(['agents', 'pm', 'run'], 'm')).toMatchObject({ line: 4, col: 3 });
    expect(src.problem(['nothing', 'here'], 'm')).toMatchObject({ line: 1, col: 1 });
  });

  test('syntax errors are problems and leave no value', () => {
    const bad = parseYamlSource('b.yaml', 'a: 1\nb: [1, 2\n');
    expect(bad.value).toBeUndefined();
    expect(bad.syntaxProblems[0]).toMatchObject({ file: 'b.yaml', line: 3, col: 1 });
    expect(bad.syntaxProblems[0]?.message).toMatch(/^yaml syntax error: /);
  });

  test('two documents in one file', () => {
    const two = parseYamlSource('b.yaml', 'a: 1\n---\nb: 2\n');
    expect(two.syntaxProblems).toEqual([{ file: 'b.yaml', line: 2, col: 1, message: 'more than one YAML document: remove the "---" line' }]);
  });

  // Every error the YAML library can raise is a problem at FILE:LINE:COL, never a throw.
  const bomb = [
    'name: bomb',
    'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
    'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
    'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
    '',
  ].join('\n');
  test.each([
    { name: 'alias bomb', text: bomb, line: 4, col: 8, message: /alias bomb/ },
    { name: 'alias without anchor', text: 'a: 1\nb: *nope\n', line: 2, col: 4, message: /alias \*nope has no anchor/ },
    { name: 'merge of a scalar', text: 'x: &x 3\nb:\n  <<: *x\n', line: 3, col: 3, message: /merge key/ },
    { name: 'merge of a list of scalars', text: 'b:\n  <<: [1, 2]\n', line: 2, col: 3, message: /merge key/ },
    { name: 'nested too deep', text: `a: ${'['.repeat(20000)}${']'.repeat(20000)}\n`, line: 1, col: expect.any(Number), message: /^yaml error: / },
  ])('$name is a located problem', ({ text, line, col, message }) => {
    let src: ReturnType<typeof parseYamlSource> | undefined;
    expect(() => (src = parseYamlSource('t.yaml', text))).not.toThrow();
    expect(src?.value).toBeUndefined();
    expect(src?.syntaxProblems).toHaveLength(1);
    expect(src?.syntaxProblems[0]).toMatchObject({ file: 't.yaml', line, col });
    expect(src?.syntaxProblems[0]?.message).toMatch(message);
  });

  test('an empty file is null, without problems', () => {
    const empty = parseYamlSource('e.yaml', '');
    expect(empty.value).toBeNull();
    expect(empty.problem(['a'], 'm')).toMatchObject({ line: 1, col: 1 });
  });
});

describe('suggestions', () => {
  test('edit distance counts a swap as one edit', () => {
    expect(editDistance('limits', 'limts')).toBe(1);
    expect(editDistance('retries', 'retires')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
  });

  test('closest finds typos and prefixes, not unrelated words', () => {
    expect(closest('limts', ['run', 'limits'])).toBe('limits');
    expect(closest('mem', ['cpu', 'memory'])).toBe('memory');
    expect(closest('banana', ['cpu', 'memory'])).toBeNull();
  });

  test('unknown key messages', () => {
    expect(unknownKeyMessage('limts', ['run', 'limits'])).toBe('unknown key "limts" (did you mean "limits"?)');
    expect(unknownKeyMessage('zzz', ['run', 'cwd', 'env'])).toBe('unknown key "zzz": use run, cwd or env');
  });
});
