/**
 * The JSON Schemas muster ships for editors (schema/*.schema.json, written by the build
 * from src/config/json-schema.ts), checked with a real JSON Schema validator (ajv): every
 * shipped team, layout and example carries the `$schema` line and validates; every key
 * has a description; and files that `muster validate` rejects are rejected by the schema
 * too (a sample of them: what an editor can catch while typing).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMANDS } from '../../../src/cli/args.js';
import { FILE_SCHEMAS, jsonSchemaOf, SCHEMA_NAMES, schemaFileName, type SchemaName } from '../../../src/config/json-schema.js';
import { validateProject } from '../../../src/config/load-project.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validators = new Map(SCHEMA_NAMES.map((name) => [name, ajv.compile(jsonSchemaOf(name))]));

function schemaValid(name: SchemaName, value: unknown): { ok: boolean; errors: string } {
  const validate = validators.get(name)!;
  const ok = validate(value) as boolean;
  return { ok, errors: JSON.stringify(validate.errors ?? []) };
}

const list = (dir: string) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml')).map((f) => `${dir}/${f}`);
const shipped: Array<{ file: string; kind: SchemaName }> = [
  { file: 'teams/demo.yaml', kind: 'team' },
  ...list('teams/examples').map((file) => ({ file, kind: 'team' as const })),
  ...list('layouts').map((file) => ({ file, kind: 'layout' as const })),
  ...list('presets').map((file) => ({ file, kind: 'preset' as const })),
];

describe('the shipped schema files', () => {
  it.each(SCHEMA_NAMES)('schema/%s.schema.json is what the zod schemas generate (npm run build writes it)', (name) => {
    const text = readFileSync(join(root, 'schema', schemaFileName(name)), 'utf8');
    expect(JSON.parse(text)).toEqual(jsonSchemaOf(name));
  });

  it.each(SCHEMA_NAMES)('every key of the %s schema has a description', (name) => {
    const missing: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      const obj = node as Record<string, unknown>;
      if (typeof obj.properties === 'object' && obj.properties !== null) {
        for (const [key, sub] of Object.entries(obj.properties as Record<string, Record<string, unknown>>)) {
          if (typeof sub.description !== 'string' || sub.description.length < 10) missing.push(`${at}.${key}`);
        }
      }
      for (const [k, v] of Object.entries(obj)) walk(v, k === 'properties' ? at : `${at}/${k}`);
    };
    walk(jsonSchemaOf(name), name);
    expect(missing).toEqual([]);
  });

  it('the team schema describes units (memory, CPU, durations) as what a user writes', () => {
    const team = jsonSchemaOf('team') as { properties: { defaults: { properties: { limits: { properties: Record<string, { description: string }> } } } } };
    const limits = team.properties.defaults.properties.limits.properties;
    expect(limits.memory!.description).toMatch(/MiB/);
    expect(limits.cpu!.description).toMatch(/one core/);
    expect(schemaValid('team', { agents: { a: { run: 'x', limits: { memory: '512MiB', cpu: '50%' }, timeout: '1h30m' } } }).ok).toBe(true);
    expect(schemaValid('team', { agents: { a: { run: 'x', limits: { memory: 536870912, cpu: 200 } } } }).ok).toBe(true);
    expect(schemaValid('team', { agents: { a: { run: 'x', limits: { memory: 'none' } } } }).ok).toBe(true);
  });
});

describe('every shipped team and layout', () => {
  it.each(shipped)('$file carries the $schema line and validates against it', ({ file, kind }) => {
    const text = readFileSync(join(root, file), 'utf8');
    const first = text.split('\n')[0] ?? '';
    const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(m, `first line of ${file}`).not.toBeNull();
    expect(resolve(dirname(join(root, file)), m![1]!)).toBe(join(root, 'schema', schemaFileName(kind)));
    const r = schemaValid(kind, parse(text));
    expect(r.ok, r.errors).toBe(true);
  });
});

/** Files `muster validate` rejects, each with what the schema must also reject. */
const rejected: Array<{ what: string; kind: SchemaName; yaml: string }> = [
  { what: 'an unknown team key', kind: 'team', yaml: 'name: t\nagnets: {}\nagents:\n  a: { run: x }\n' },
  { what: 'an unknown agent key', kind: 'team', yaml: 'agents:\n  a: { run: x, restarts: 3 }\n' },
  { what: 'a bad priority', kind: 'team', yaml: 'agents:\n  a: { run: x, priority: urgent }\n' },
  { what: 'memory in MB', kind: 'team', yaml: 'agents:\n  a: { run: x, limits: { memory: 512MB } }\n' },
  { what: 'a duration without unit', kind: 'team', yaml: 'agents:\n  a: { run: x, timeout: 15 }\n' },
  { what: 'a duration with a bad unit', kind: 'team', yaml: 'agents:\n  a: { run: x, checkin: { every: 15min } }\n' },
  { what: 'checkin neither off nor a map', kind: 'team', yaml: 'agents:\n  a: { run: x, checkin: sometimes }\n' },
  { what: 'a bad agent name', kind: 'team', yaml: 'agents:\n  Dev Lead: { run: x }\n' },
  { what: 'max_parallel 0', kind: 'team', yaml: 'max_parallel: 0\nagents:\n  a: { run: x }\n' },
  { what: 'an empty for_each', kind: 'team', yaml: 'agents:\n  a: { run: x, for_each: [] }\n' },
  { what: 'a bad restart policy in defaults', kind: 'team', yaml: 'defaults: { restart: { policy: sometimes } }\nagents:\n  a: { run: x }\n' },
  { what: 'negative retries', kind: 'team', yaml: 'agents:\n  a: { run: x, retries: -1 }\n' },
  { what: 'agents as a list', kind: 'team', yaml: 'agents:\n  - run: x\n' },
  { what: 'no agents', kind: 'team', yaml: 'name: t\n' },
  { what: 'a window without a name', kind: 'layout', yaml: 'windows:\n  - panes: [a]\n' },
  { what: 'an unknown tmux layout', kind: 'layout', yaml: 'windows:\n  - { name: w, layout: grid, panes: [a] }\n' },
  { what: 'a window without panes', kind: 'layout', yaml: 'windows:\n  - { name: w, panes: [] }\n' },
  { what: 'a bare number pulse', kind: 'project', yaml: 'pulse: 2\n' },
  { what: 'a ceiling over 100', kind: 'project', yaml: 'ceiling: { cpu: 150 }\n' },
  { what: 'a port out of range', kind: 'project', yaml: 'requires: { ports: [70000] }\n' },
  { what: 'an unknown project key', kind: 'project', yaml: 'team: [teams/a.yaml]\n' },
];

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Writes the sample where `muster validate` would read it, with valid companions. */
function sampleProject(kind: SchemaName, yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'muster-schema-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'teams'));
  mkdirSync(join(dir, 'layouts'));
  if (kind === 'team') writeFileSync(join(dir, 'teams/t.yaml'), yaml);
  if (kind === 'layout') {
    writeFileSync(join(dir, 'layouts/mine.yaml'), yaml);
    writeFileSync(join(dir, 'teams/t.yaml'), 'layout: mine\nagents:\n  a: { run: x }\n');
  }
  if (kind === 'project') {
    writeFileSync(join(dir, 'muster.yaml'), yaml);
    writeFileSync(join(dir, 'teams/t.yaml'), 'agents:\n  a: { run: x }\n');
  }
  return dir;
}

describe('files muster validate rejects', () => {
  it.each(rejected)('$what ($kind): rejected by validate and by the schema', async ({ kind, yaml }) => {
    const { problems } = await validateProject(sampleProject(kind, yaml));
    expect(problems.length).toBeGreaterThan(0);
    expect(schemaValid(kind, parse(yaml)).ok).toBe(false);
  });

  it('and their valid neighbours pass both', async () => {
    const fine = 'max_parallel: 2\ndefaults: { restart: { policy: always }, checkin: off }\nagents:\n  a: { run: x, priority: high, limits: { memory: 512MiB }, timeout: 15m, for_each: [one, 2] }\n';
    expect((await validateProject(sampleProject('team', fine))).problems).toEqual([]);
    expect(schemaValid('team', parse(fine)).ok).toBe(true);
  });

  it('muster schema, its usage and its completion name every schema of the registry', () => {
    const def = COMMANDS.find((c) => c.name === 'schema')!;
    expect(def.completes).toEqual(Object.keys(FILE_SCHEMAS));
    expect(def.usage).toBe(`schema [${Object.keys(FILE_SCHEMAS).join('|')}]`);
  });
});
