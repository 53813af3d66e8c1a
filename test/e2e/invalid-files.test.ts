/**
 * Invalid user files: `validate` and `up` print every problem as FILE:LINE:COL and exit 2,
 * with no stack trace, and `up` starts nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, type TestProject } from '../helpers/project.js';
import { serverAnswers } from '../helpers/tmux.js';

let p: TestProject;

beforeAll(() => {
  p = makeProject('invalid');
});

afterAll(async () => {
  await p.destroy();
});

const cases: { name: string; team: string; want: string[] }[] = [
  {
    name: 'unknown key',
    team: 'name: t\nagents:\n  a:\n    run: x\n    limts: { cpu: 10% }\n',
    want: ['teams/t.yaml:5:5: unknown key "limts"'],
  },
  { name: 'bad unit', team: 'name: t\nagents:\n  a:\n    run: x\n    limits: { memory: 512MB }\n', want: ['teams/t.yaml:5:23:'] },
  { name: 'bad enum', team: 'name: t\nagents:\n  a:\n    run: x\n    priority: urgent\n', want: ['teams/t.yaml:5:15:'] },
  { name: 'unknown after', team: 'name: t\nagents:\n  a:\n    run: x\n    after: [ghost]\n', want: ['teams/t.yaml:5:13:'] },
  {
    name: 'cycle',
    team: 'name: t\nagents:\n  a:\n    run: x\n    after: [b]\n  b:\n    run: x\n    after: [a]\n',
    want: ['teams/t.yaml:', 'cycle'],
  },
  { name: 'bad name', team: 'name: t\nagents:\n  Bad_Name:\n    run: x\n', want: ['teams/t.yaml:3:3:'] },
  { name: 'unknown layout', team: 'name: t\nlayout: nowhere\nagents:\n  a:\n    run: x\n', want: ['teams/t.yaml:2:9:'] },
  {
    // "billion laughs": the YAML library refuses it quickly; the refusal is a located problem
    name: 'yaml alias bomb',
    team: [
      'name: t',
      'x: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
      'y: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'z: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'w: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'v: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
      'agents:',
      '  a: { run: x }',
      '',
    ].join('\n'),
    want: ['teams/t.yaml:4:8: yaml error: aliases expand to more than 1000 nodes'],
  },
  { name: 'yaml alias without anchor', team: 'name: t\nagents:\n  a: *nope\n', want: ['teams/t.yaml:3:6: yaml error: alias *nope has no anchor'] },
  { name: 'yaml bad merge', team: 'name: t\nagents:\n  a:\n    <<: [1]\n    run: x\n', want: ['teams/t.yaml:4:5: yaml error: a merge key'] },
  {
    name: 'missing working directory',
    team: 'name: t\nagents:\n  a:\n    run: x\n    cwd: ./not-there\n',
    want: ['teams/t.yaml:5:10: working directory "not-there" does not exist: create it (mkdir -p not-there)'],
  },
  {
    name: 'several at once',
    team: 'name: t\nagents:\n  a:\n    run: x\n    priority: urgent\n  b:\n    runn: y\n',
    want: ['teams/t.yaml:5:15:', 'teams/t.yaml:7:5:'],
  },
];

describe('invalid team files', () => {
  it.each(cases)('$name: validate and up exit 2 with FILE:LINE:COL', async ({ team, want }) => {
    p.write('teams/t.yaml', team);
    const v = await p.muster(['validate']);
    expect(v.code).toBe(2);
    for (const w of want) expect(v.stderr).toContain(w);
    expect(v.stderr).not.toMatch(/\n\s+at /);
    const up = await p.muster(['up', '--headless']);
    expect(up.code).toBe(2);
    for (const w of want) expect(up.stderr).toContain(w);
    expect(up.stderr).not.toMatch(/\n\s+at /);
    expect(await serverAnswers(p.socket)).toBe(false);
  });

  it('bad usage exits 2 with a hint', async () => {
    const r = await p.muster(['stop']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/hint: Usage: muster stop/);
    const u = await p.muster(['frobnicate']);
    expect(u.code).toBe(2);
  });
});
