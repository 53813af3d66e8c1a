/**
 * Making an agent's worktree whole at its start, against real git repositories: created
 * once and kept, `include` and `.worktreeinclude` copied, `setup` run once (its failure
 * fails the start, its output in the log), shares, and every repair: an interrupted
 * `git worktree add` (a real git process killed in the middle of its checkout), a folder
 * or a branch removed by hand, and folders muster must not touch.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import { cliWorktreeGit } from '../../../src/git/worktree-git.js';
import { readMeta, worktreeDir, writeMeta } from '../../../src/git/worktree-meta.js';
import { WorktreePreparer } from '../../../src/git/worktree-prepare.js';
import { commitFile, git, gitTestEnv, makeRepo, writeFile } from '../../helpers/git.js';
import { agent } from '../../helpers/specs.js';
import { waitFor } from '../../helpers/wait.js';

let root: string;
let repo: string;
let stateDir: string;

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'muster-wt-prepare-')));
  repo = path.join(root, 'app');
  stateDir = path.join(repo, '.muster');
  makeRepo(repo, { 'README.md': 'hello\n', '.gitignore': '.env\n*.secret\n.muster/logs/\n', 'src/main.ts': 'export {};\n' });
  fs.mkdirSync(stateDir, { recursive: true });
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function own(name: string, over: Partial<NonNullable<AgentSpec['worktree']>> = {}, spec: Partial<AgentSpec> = {}): AgentSpec {
  return agent(`web/${name}`, { cwd: repo, worktree: { mode: 'own', owner: `web/${name}`, base: null, include: [], setup: null, ...over }, ...spec });
}

function preparer(specs: AgentSpec[]): WorktreePreparer {
  const byId = new Map(specs.map((s) => [s.id, s]));
  return new WorktreePreparer({ git: cliWorktreeGit, stateDir, spec: (id) => byId.get(id), logFile: (id) => path.join(stateDir, 'logs', `${id.replace('/', '.')}.log`) });
}

const logOf = (id: string) => fs.readFileSync(path.join(stateDir, 'logs', `${id.replace('/', '.')}.log`), 'utf8');

describe('a worktree at the first start', () => {
  it('is made on its own branch from the checkout’s commit, kept out of git status, and kept', async () => {
    const dev = own('dev', {}, { cwd: path.join(repo, 'src') });
    const p = preparer([dev]);
    const head = git(repo, 'rev-parse', 'HEAD');
    const first = await p.prepare(dev);
    const dir = worktreeDir(stateDir, 'web/dev');
    expect(first.dir).toBe(dir);
    expect(first.cwd).toBe(path.join(dir, 'src'));
    expect(first.notes.join('\n')).toMatch(/worktree created: muster\/web\/dev from [0-9a-f]{7} \(main\)/);
    expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('muster/web/dev');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(readMeta(stateDir, 'web/dev')).toMatchObject({ state: 'ready', base: { rev: null, commit: head, branch: 'main' }, setup: 'none' });
    // the user's checkout: the worktree is not in its status, .gitignore untouched
    expect(fs.readFileSync(path.join(repo, '.git', 'info', 'exclude'), 'utf8')).toContain('/.muster/worktrees/');
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).not.toMatch(/worktrees/);
    expect(git(repo, 'diff', '--stat')).toBe('');
    // a second start finds it whole and changes nothing
    commitFile(dir, 'work.txt', 'work\n');
    const again = await p.prepare(dev);
    expect(again).toEqual({ ...first, notes: [] });
    expect(git(dir, 'log', '--format=%s', '-1')).toBe('change work.txt');
    expect(fs.readFileSync(path.join(repo, '.git', 'info', 'exclude'), 'utf8').match(/^\/\.muster\/worktrees\/$/gm)).toHaveLength(1);
  });

  it('starts from `base` (a branch: land goes there)', async () => {
    git(repo, 'branch', 'develop');
    const dev2 = commitFile(repo, 'later.txt', 'x\n');
    const dev = own('dev', { base: 'develop' });
    await preparer([dev]).prepare(dev);
    const meta = readMeta(stateDir, 'web/dev');
    expect(meta?.base).toEqual({ rev: 'develop', commit: git(repo, 'rev-parse', 'develop'), branch: 'develop' });
    expect(git(worktreeDir(stateDir, 'web/dev'), 'rev-parse', 'HEAD')).not.toBe(dev2);
  });

  it('an unknown base or a folder outside any repository fails the start with the reason', async () => {
    await expect(preparer([own('a', { base: 'nope' })]).prepare(own('a', { base: 'nope' }))).rejects.toThrow(/unknown base "nope"/);
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-no-repo-'));
    try {
      const b = own('b', {}, { cwd: outside });
      await expect(preparer([b]).prepare(b)).rejects.toThrow(/is not in a git repository/);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('include and .worktreeinclude', () => {
  it('copies the named untracked files and the gitignored ones .worktreeinclude matches; nothing from outside', async () => {
    writeFile(repo, '.env', 'SECRET=1\n');
    writeFile(repo, 'config/local.json', '{"local":true}\n');
    writeFile(repo, 'a.secret', 'ignored and listed\n');
    writeFile(repo, 'b.txt', 'untracked, not ignored, not listed\n');
    writeFile(repo, '.worktreeinclude', '# Claude Code reads this too\n*.secret\nb.txt\n');
    const outside = path.join(root, 'outside.env');
    fs.writeFileSync(outside, 'not yours\n');
    fs.symlinkSync(outside, path.join(repo, 'link.env'));
    fs.chmodSync(path.join(repo, '.env'), 0o600);
    const dev = own('dev', { include: ['.env', 'config/*.json', 'link.env'] });
    const r = await preparer([dev]).prepare(dev);
    const dir = r.dir;
    expect(fs.readFileSync(path.join(dir, '.env'), 'utf8')).toBe('SECRET=1\n');
    expect(fs.statSync(path.join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, 'config/local.json'), 'utf8')).toBe('{"local":true}\n');
    expect(fs.readFileSync(path.join(dir, 'a.secret'), 'utf8')).toBe('ignored and listed\n');
    expect(fs.existsSync(path.join(dir, 'b.txt'))).toBe(false); // .worktreeinclude copies gitignored files only
    expect(fs.existsSync(path.join(dir, 'link.env'))).toBe(false);
    expect(r.notes.join('\n')).toMatch(/not copied: link\.env \(it leads outside the repository\)/);
    expect(r.notes.join('\n')).toMatch(/copied into the worktree: \.env, a\.secret, config\/local\.json/);
  });
});

describe('setup', () => {
  it('runs once in the new worktree before the agent, its output in the log', async () => {
    const dev = own('dev', { setup: 'echo "setting up in $(pwd)"; echo run >> .setup-runs' });
    const p = preparer([dev]);
    const r = await p.prepare(dev);
    expect(fs.readFileSync(path.join(r.dir, '.setup-runs'), 'utf8')).toBe('run\n');
    expect(logOf('web/dev')).toContain(`setting up in ${r.dir}`);
    expect(readMeta(stateDir, 'web/dev')?.setup).toBe('done');
    await p.prepare(dev);
    expect(fs.readFileSync(path.join(r.dir, '.setup-runs'), 'utf8')).toBe('run\n');
  });

  it('a failing setup fails the start (output in the log) and runs again at the next start', async () => {
    const dev = own('dev', { setup: 'echo "npm ERR! boom"; exit 3' });
    const p = preparer([dev]);
    await expect(p.prepare(dev)).rejects.toThrow(/setup `echo "npm ERR! boom"; exit 3` failed \(exit 3\); its output is in/);
    expect(logOf('web/dev')).toContain('npm ERR! boom');
    expect(readMeta(stateDir, 'web/dev')?.setup).toBe('pending');
    await expect(p.prepare(dev)).rejects.toThrow(/exit 3/);
    expect(logOf('web/dev').match(/^npm ERR! boom$/gm)).toHaveLength(2);
  });

  it('a stop ends a setup that still runs', async () => {
    const dev = own('dev', { setup: 'sleep 30' });
    const p = preparer([dev]);
    const started = Date.now();
    const run = p.prepare(dev);
    await waitFor('the setup to run', () => readMeta(stateDir, 'web/dev')?.state === 'ready' && logOf('web/dev').includes('sleep 30'));
    p.abortSetup('web/dev');
    await expect(run).rejects.toThrow(/was stopped/);
    expect(Date.now() - started).toBeLessThan(25_000);
  });
});

describe('share', () => {
  it('a reviewer starts in the dev’s worktree (made by whichever starts first), one worktree for both', async () => {
    const dev = own('dev', { setup: 'echo run >> .setup-runs' });
    const review = agent('web/review', { cwd: repo, worktree: { mode: 'share', owner: 'web/dev', base: null, include: [], setup: 'echo run >> .setup-runs' } });
    const p = preparer([dev, review]);
    const [a, b] = await Promise.all([p.prepare(review), p.prepare(dev)]);
    expect(a.cwd).toBe(b.cwd);
    expect(a.dir).toBe(worktreeDir(stateDir, 'web/dev'));
    expect(fs.readFileSync(path.join(a.dir, '.setup-runs'), 'utf8')).toBe('run\n');
    expect(git(repo, 'worktree', 'list').split('\n')).toHaveLength(2);
  });
});

describe('repairs', () => {
  it('a `git worktree add` killed in the middle of its checkout is cleared and made again', async () => {
    // A smudge filter that hangs holds git in its checkout (the worktree locked as "initializing").
    writeFile(repo, '.gitattributes', 'slow.txt filter=slow\n');
    writeFile(repo, 'slow.txt', 'slow\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'slow file');
    git(repo, 'config', 'filter.slow.smudge', 'sleep 60; cat');
    const dev = own('dev');
    const dir = worktreeDir(stateDir, 'web/dev');
    const head = git(repo, 'rev-parse', 'HEAD');
    // what the preparer writes before it runs git
    writeMeta(stateDir, { version: 1, agent: 'web/dev', repo, path: dir, branch: 'muster/web/dev', base: { rev: null, commit: head, branch: 'main' }, state: 'creating', setup: 'none', created: new Date().toISOString(), landed: null });
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const child = spawn('git', ['worktree', 'add', '-b', 'muster/web/dev', dir, head], { cwd: repo, env: gitTestEnv(), detached: true, stdio: 'ignore' });
    const locked = await waitFor('git to be in its checkout', () => {
      const admin = path.join(repo, '.git', 'worktrees', 'dev');
      return fs.existsSync(path.join(admin, 'locked')) && fs.existsSync(path.join(dir, '.git')) ? admin : null;
    });
    process.kill(-(child.pid as number), 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(fs.readFileSync(path.join(locked, 'locked'), 'utf8')).toMatch(/initializing/);
    git(repo, 'config', 'filter.slow.smudge', 'cat');

    const r = await preparer([dev]).prepare(dev);
    expect(r.notes.join('\n')).toMatch(/half-made worktree/);
    expect(fs.readFileSync(path.join(dir, 'slow.txt'), 'utf8')).toBe('slow\n');
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toMatch(/locked/);
    expect(readMeta(stateDir, 'web/dev')?.state).toBe('ready');
  });

  it('a folder removed by hand is checked out again from its branch, commits kept', async () => {
    const dev = own('dev', { include: ['.env'], setup: 'echo run >> .setup-runs' });
    writeFile(repo, '.env', 'A=1\n');
    const p = preparer([dev]);
    const { dir } = await p.prepare(dev);
    const work = commitFile(dir, 'work.txt', 'work\n');
    fs.rmSync(dir, { recursive: true, force: true });
    const r = await p.prepare(dev);
    expect(r.notes.join('\n')).toMatch(/folder was gone \(removed by hand\): muster\/web\/dev checked out again at [0-9a-f]{7}/);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(work);
    expect(fs.readFileSync(path.join(dir, '.env'), 'utf8')).toBe('A=1\n');
    expect(fs.readFileSync(path.join(dir, '.setup-runs'), 'utf8')).toBe('run\n'); // setup again: the folder is new
  });

  it('a branch deleted by hand is recreated where the worktree’s own reflog had it', async () => {
    const dev = own('dev');
    const p = preparer([dev]);
    const { dir } = await p.prepare(dev);
    commitFile(dir, 'one.txt', '1\n');
    const last = commitFile(dir, 'two.txt', '2\n');
    git(repo, 'update-ref', '-d', 'refs/heads/muster/web/dev');
    expect(() => git(repo, 'rev-parse', '--verify', 'refs/heads/muster/web/dev')).toThrow();
    const r = await p.prepare(dev);
    expect(r.notes.join('\n')).toMatch(/branch muster\/web\/dev was gone \(deleted by hand\): recreated at [0-9a-f]{7}/);
    expect(git(repo, 'rev-parse', 'refs/heads/muster/web/dev')).toBe(last);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('folders muster did not make, or that git forgot, are never touched', async () => {
    const dev = own('dev');
    const dir = worktreeDir(stateDir, 'web/dev');
    writeFile(dir, 'precious.txt', 'mine\n');
    await expect(preparer([dev]).prepare(dev)).rejects.toThrow(/a folder muster did not make is in the way/);
    expect(fs.readFileSync(path.join(dir, 'precious.txt'), 'utf8')).toBe('mine\n');
    fs.rmSync(dir, { recursive: true });

    const p = preparer([dev]);
    await p.prepare(dev);
    writeFile(dir, 'wip.txt', 'uncommitted\n');
    fs.rmSync(path.join(repo, '.git', 'worktrees', 'dev'), { recursive: true }); // git forgets it
    await expect(p.prepare(dev)).rejects.toThrow(/git no longer knows it as a worktree/);
    expect(fs.readFileSync(path.join(dir, 'wip.txt'), 'utf8')).toBe('uncommitted\n');
  });
});
