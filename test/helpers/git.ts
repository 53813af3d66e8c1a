/**
 * Real git repositories for tests: made in a folder the test owns, with an identity of
 * their own and a first commit.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** git's environment in tests: no repository variables of the caller, no user or system config. */
export function gitTestEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR']) delete env[k];
  return env;
}

/** Runs git in `cwd` and returns its output, trimmed; throws with git's message when it fails. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitTestEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Makes `dir` a repository on branch main with `files` committed (a README when none are given). */
export function makeRepo(dir: string, files: Record<string, string> = { 'README.md': 'hello\n' }): string {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test User');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  for (const [file, text] of Object.entries(files)) writeFile(dir, file, text);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'first commit');
  return git(dir, 'rev-parse', 'HEAD');
}

export function writeFile(dir: string, file: string, text: string): void {
  const abs = path.join(dir, file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text);
}

/** Writes `file` and commits it in the checkout `cwd`; returns the new commit. */
export function commitFile(cwd: string, file: string, text: string, message = `change ${file}`): string {
  writeFile(cwd, file, text);
  git(cwd, 'add', '--', file);
  git(cwd, 'commit', '-q', '-m', message);
  return git(cwd, 'rev-parse', 'HEAD');
}

/** Everything a land or discard must leave as it was: refs, the checkout's HEAD, status and files. */
export function repoState(repo: string, checkouts: string[] = []): string {
  const parts = [git(repo, 'for-each-ref', '--format=%(refname) %(objectname)'), git(repo, 'worktree', 'list', '--porcelain')];
  for (const c of [repo, ...checkouts]) {
    parts.push(`${c}: ${git(c, 'rev-parse', 'HEAD')} ${git(c, 'status', '--porcelain=v1', '--untracked-files=all')}`);
    for (const f of git(c, 'ls-files').split('\n').filter(Boolean)) parts.push(`${c}/${f}: ${fs.readFileSync(path.join(c, f), 'utf8')}`);
  }
  return parts.join('\n');
}
