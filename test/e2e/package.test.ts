/**
 * muster installs like any npm CLI: the package is packed (`npm pack`, from the build
 * `npm test` made), the tarball installed into an empty prefix without dev dependencies,
 * and the installed `muster` runs: --version, validate on the shipped examples and the
 * demo team, schema, init. The tarball holds what muster needs and nothing else.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-pack-'));
const prefix = path.join(work, 'prefix');
const installed = path.join(prefix, 'lib', 'node_modules', 'muster');
const bin = path.join(prefix, 'bin', 'muster');

function run(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { cwd: opts.cwd ?? work, env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

let tarball = '';
let packed: { files: Array<{ path: string; size: number }>; size: number; unpackedSize: number };

beforeAll(async () => {
  // --ignore-scripts: `npm test` built dist/ and schema/ already; a rebuild here would
  // change them under the tests running beside this one.
  const pack = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, timeoutMs: 120_000 });
  expect(pack.code, pack.stderr).toBe(0);
  packed = (JSON.parse(pack.stdout) as Array<typeof packed & { filename: string }>)[0]!;
  tarball = path.join(work, (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0]!.filename);
  fs.mkdirSync(prefix);
  const install = await run('npm', ['install', '--global', '--prefix', prefix, '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
    timeoutMs: 280_000,
    env: { npm_config_loglevel: 'error' },
  });
  expect(install.code, install.stderr).toBe(0);
}, 300_000);

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the built CLI, its schemas, docs, layouts, presets and teams; no sources, tests or source maps', () => {
    const tops = new Set(packed.files.map((f) => f.path.split('/')[0]));
    expect([...tops].sort()).toEqual(['README.md', 'dist', 'docs', 'layouts', 'package.json', 'presets', 'prices.yaml', 'schema', 'teams']);
    expect(packed.files.filter((f) => f.path.endsWith('.map') || f.path.endsWith('.ts'))).toEqual([]);
    for (const need of ['dist/cli/main.js', 'schema/team.schema.json', 'schema/layout.schema.json', 'schema/project.schema.json', 'teams/demo.yaml', 'docs/team-file.md', 'presets/claude.yaml', 'schema/preset.schema.json']) {
      expect(packed.files.map((f) => f.path)).toContain(need);
    }
    // what the bench notes record; a jump means something was shipped by mistake
    expect(packed.unpackedSize).toBeLessThan(1.5 * 2 ** 20);
  });

  it('installs without dev dependencies', () => {
    expect(fs.existsSync(bin)).toBe(true);
    const deps = [...fs.readdirSync(path.join(installed, 'node_modules'))];
    // (ajv comes with the MCP SDK and @xterm/headless renders `muster logs`: both run in production now)
    for (const dev of ['vitest', 'typescript', 'ink-testing-library']) expect(deps).not.toContain(dev);
    expect(deps).toEqual(expect.arrayContaining(['ink', 'react', 'yaml', 'zod', 'chokidar', '@inkjs', '@lydell']));
  });
});

describe('the installed muster', () => {
  it('--version', async () => {
    const r = await run(bin, ['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('validates the shipped examples and the demo team', async () => {
    const examples = fs.readdirSync(path.join(installed, 'teams', 'examples')).map((f) => `teams/examples/${f}`);
    // the worktree example needs its project in a git repository with a commit, as a user's is
    const git = (...args: string[]) => run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: installed });
    await git('init', '-q');
    await git('commit', '-q', '--allow-empty', '-m', 'init');
    const r = await run(bin, ['validate', 'teams/demo.yaml', ...examples], { cwd: installed });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ok: ${examples.length + 1} team\\(s\\), \\d+ agent\\(s\\): demo \\(6\\)`));
  });

  it('prints the schemas it ships, and init points a new project at them', async () => {
    const r = await run(bin, ['schema', 'team']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(fs.readFileSync(path.join(installed, 'schema', 'team.schema.json'), 'utf8')));
    const project = path.join(work, 'project');
    fs.mkdirSync(project);
    const init = await run(bin, ['init', '--agents', 'shell:1', '--name', 'first'], { cwd: project });
    expect(init.code, init.stderr).toBe(0);
    const firstLine = fs.readFileSync(path.join(project, 'teams', 'first.yaml'), 'utf8').split('\n')[0];
    expect(firstLine).toBe(`# yaml-language-server: $schema=${path.join(fs.realpathSync(installed), 'schema', 'team.schema.json')}`);
    expect((await run(bin, ['validate'], { cwd: project })).code).toBe(0);
  });
});
