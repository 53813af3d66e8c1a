import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommitWatch, execGit, type GitRunner } from '../../../src/git/commit-watch.js';
import { waitFor } from '../../helpers/wait.js';

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'muster-git-')));
let dir = '';
let n = 0;
const watches: CommitWatch[] = [];
afterEach(async () => {
  await Promise.all(watches.splice(0).map((w) => w.close()));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  dir = path.join(root, `repo-${++n}`);
  fs.mkdirSync(dir);
});

function git(args: string[], cwd = dir, at?: number): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: root };
  delete env.GIT_DIR;
  delete env.GIT_WORK_TREE;
  if (at !== undefined) env.GIT_AUTHOR_DATE = env.GIT_COMMITTER_DATE = `@${at} +0000`;
  return new Promise((resolve, reject) => execFile('git', args, { cwd, env }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out))));
}

async function commit(at: number, msg = `at ${at}`, cwd = dir): Promise<void> {
  fs.writeFileSync(path.join(cwd, 'file.txt'), `${msg}\n`);
  await git(['add', 'file.txt'], cwd);
  await git(['commit', '-q', '-m', msg], cwd, at);
}

function counting(): { run: GitRunner; calls: string[][] } {
  const calls: string[][] = [];
  return { calls, run: (args, cwd) => (calls.push(args), execGit(args, cwd)) };
}

function watcher(run?: GitRunner): CommitWatch {
  const w = new CommitWatch(run ? { runGit: run } : {});
  watches.push(w);
  return w;
}


describe('CommitWatch', () => {
  it('reads the last commit, then follows new commits through the reflog without calling git', async () => {
    await git(['init', '-q']);
    await commit(1_700_000_000);
    const { run, calls } = counting();
    const w = watcher(run);
    const changes: Array<[string, number | null]> = [];
    w.onChange((key, at) => changes.push([key, at]));
    expect(await w.add('team/dev', dir)).toBe(1_700_000_000_000);
    expect(w.lastCommit('team/dev')).toBe(1_700_000_000_000);
    expect(calls).toEqual([['rev-parse', '--git-dir']]);

    await commit(1_700_000_100);
    await waitFor('the new commit', () => w.lastCommit('team/dev') === 1_700_000_100_000);
    expect(changes).toEqual([['team/dev', 1_700_000_100_000]]);

    await git(['commit', '-q', '--amend', '-m', 'amended'], dir, 1_700_000_200);
    await waitFor('the amend', () => w.lastCommit('team/dev') === 1_700_000_200_000);
    expect(calls).toHaveLength(1); // one lookup; never git per change
  });

  it('is null for a directory that is not in a repository', async () => {
    const w = watcher();
    expect(await w.add('team/x', dir)).toBeNull();
    expect(w.lastCommit('team/x')).toBeNull();
    expect(await w.add('team/y', path.join(root, 'no-such-dir'))).toBeNull();
    expect(w.watchedFiles()).toEqual([]);
  });

  it('watches one file for several keys of one repository', async () => {
    await git(['init', '-q']);
    await commit(1_700_000_000);
    fs.mkdirSync(path.join(dir, 'web'));
    const w = watcher();
    const changes: string[] = [];
    w.onChange((key) => changes.push(key));
    await w.add('a/pm', dir);
    await w.add('a/dev', path.join(dir, 'web'));
    expect(w.watchedFiles()).toEqual([path.join(dir, '.git', 'logs', 'HEAD')]);
    expect(w.gitDirOf('a/pm')).toBe(w.gitDirOf('a/dev'));
    await commit(1_700_000_050);
    await waitFor('both keys told', () => changes.length === 2);
    expect(changes.sort()).toEqual(['a/dev', 'a/pm']);
    expect(w.lastCommit('a/dev')).toBe(1_700_000_050_000);
    w.remove('a/pm');
    expect(w.watchedFiles()).toHaveLength(1);
    w.remove('a/dev');
    expect(w.watchedFiles()).toEqual([]);
  });

  it('sees the first commit of a fresh repository (no logs/ yet)', async () => {
    await git(['init', '-q']);
    const w = watcher();
    expect(await w.add('t/a', dir)).toBeNull();
    await commit(1_700_000_300);
    await waitFor('the first commit', () => w.lastCommit('t/a') === 1_700_000_300_000);
  });

  it('falls back to git log when the reflog holds no commit, and ignores HEAD moves that are not commits', async () => {
    await git(['init', '-q']);
    await commit(1_700_000_000);
    const clone = path.join(root, `clone-${n}`);
    await git(['clone', '-q', dir, clone]);
    const { run, calls } = counting();
    const w = watcher(run);
    expect(await w.add('t/c', clone)).toBe(1_700_000_000_000); // the reflog only says "clone:"
    expect(calls.map((c) => c.slice(-4).join(' '))).toEqual(['rev-parse --git-dir', 'log -1 --format=%ct HEAD']);

    await commit(1_700_000_400, 'first here', clone);
    await waitFor('the commit in the clone', () => w.lastCommit('t/c') === 1_700_000_400_000);
    const seen: Array<number | null> = [];
    w.onChange((_k, at) => seen.push(at));
    await git(['checkout', '-q', '-b', 'topic'], clone);
    await commit(1_700_000_500, 'on topic', clone);
    await waitFor('the commit on topic', () => w.lastCommit('t/c') === 1_700_000_500_000);
    expect(seen).toEqual([1_700_000_500_000]); // the checkout alone changed nothing
  });
});
