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
