/**
 * The age of the last commit in each agent's repository, kept current without polling git:
 * the repository of a working directory is looked up once (`git rev-parse --git-dir`), the
 * time of its last commit is read from `<gitdir>/logs/HEAD` (one `git log -1` when there
 * is no reflog or it holds no commit), and that file is watched for changes. Agents that
 * share a repository share one watch.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { lastCommitFromReflog } from './reflog.js';

/** Runs git with `args` in `cwd`; resolves with stdout, rejects when git fails. */
export type GitRunner = (args: string[], cwd: string) => Promise<string>;

export type CommitListener = (key: string, lastCommit: number | null) => void;

export interface CommitWatchOptions {
  runGit?: GitRunner;
  /** IO errors while reading or watching (the value stays as it was) */
  onError?: (error: Error) => void;
}

const REFLOG_TAIL = 64 * 1024;
const TRAILING_READ_MS = 120;

/** git with the caller's repository variables removed, so the cwd decides the repository. */
export const execGit: GitRunner = (args, cwd) =>
  new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };
    for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_CEILING_DIRECTORIES']) delete env[k];
    execFile('git', args, { cwd, env, timeout: 10_000, maxBuffer: 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });

interface Repo {
  gitdir: string;
  headLog: string;
  keys: Set<string>;
  value: number | null;
  watcher: FSWatcher | null;
  ready: Promise<void>;
  reading: Promise<void> | null;
  again: boolean;
  /** size and mtime of the reflog at the last read */
  stamp: string;
  trailing: NodeJS.Timeout | null;
}

/** Last-commit times per key (an agent id), for the working directories they were added with. */
export class CommitWatch {
  private readonly runGit: GitRunner;
  private readonly onError: (error: Error) => void;
  private readonly lookups = new Map<string, Promise<string | null>>();
  private readonly repos = new Map<string, Repo>();
  private readonly keys = new Map<string, { cwd: string; gitdir: string | null }>();
  private readonly listeners = new Set<CommitListener>();
  private closed = false;

  constructor(options: CommitWatchOptions = {}) {
    this.runGit = options.runGit ?? execGit;
    this.onError = options.onError ?? (() => undefined);
  }

  /**
   * Tracks `key` for the repository that holds `cwd` (none: its value stays null).
   * Resolves with the time of the last commit (ms) once known.
   */
  async add(key: string, cwd: string): Promise<number | null> {
    const dir = path.resolve(cwd);
    const existing = this.keys.get(key);
    if (existing && existing.cwd !== dir) this.remove(key);
    this.keys.set(key, { cwd: dir, gitdir: null });
    const gitdir = await this.lookup(dir);
    const entry = this.keys.get(key);
    if (this.closed || !entry || entry.cwd !== dir || gitdir === null) return null;
    entry.gitdir = gitdir;
    const repo = this.repoFor(gitdir);
    repo.keys.add(key);
    await repo.ready;
    return repo.value;
  }

  /** The time (ms) of the last commit in the key's repository; null when not a repository, or not known yet. */
  lastCommit(key: string): number | null {
    const gitdir = this.keys.get(key)?.gitdir;
    return gitdir ? (this.repos.get(gitdir)?.value ?? null) : null;
  }

  /** The git directory of the key's repository, once looked up. */
  gitDirOf(key: string): string | null {
    return this.keys.get(key)?.gitdir ?? null;
  }

  /** Called for every key of a repository whose last commit changed. Returns an unsubscribe function. */
  onChange(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops tracking a key; the repository's watch ends with its last key. */
  remove(key: string): void {
    const entry = this.keys.get(key);
    this.keys.delete(key);
    if (!entry?.gitdir) return;
    const repo = this.repos.get(entry.gitdir);
    if (!repo) return;
    repo.keys.delete(key);
    if (repo.keys.size === 0) {
      this.repos.delete(repo.gitdir);
      if (repo.trailing) clearTimeout(repo.trailing);
      void repo.watcher?.close();
    }
  }

  /** The reflog files being watched (one per repository). */
  watchedFiles(): string[] {
    return [...this.repos.values()].map((r) => r.headLog).sort();
  }

  async close(): Promise<void> {
    this.closed = true;
    const repos = [...this.repos.values()];
    this.repos.clear();
    this.keys.clear();
    this.listeners.clear();
    await Promise.all(repos.map(async (r) => {
      if (r.trailing) clearTimeout(r.trailing);
      await r.ready.catch(() => undefined);
      await r.watcher?.close();
    }));
  }

  /**
   * The real git directory of the repository holding `dir`, or null. One git call per
   * directory; a miss is not cached (the agent may `git init` before its next start).
   */
  private lookup(dir: string): Promise<string | null> {
    let found = this.lookups.get(dir);
    if (!found) {
      found = this.runGit(['rev-parse', '--git-dir'], dir).then(
        (out) => {
          const rel = out.trim();
          if (!rel) return null;
          try {
            return fs.realpathSync(path.resolve(dir, rel));
          } catch {
            return null;
          }
        },
        () => null,
      );
      this.lookups.set(dir, found);
      void found.then((gitdir) => {
        if (gitdir === null) this.lookups.delete(dir);
      });
    }
    return found;
  }

  private repoFor(gitdir: string): Repo {
    const known = this.repos.get(gitdir);
    if (known) return known;
    const logsDir = path.join(gitdir, 'logs');
    const repo: Repo = { gitdir, headLog: path.join(logsDir, 'HEAD'), keys: new Set(), value: null, watcher: null, ready: Promise.resolve(), reading: null, again: false, stamp: '', trailing: null };
    this.repos.set(gitdir, repo);
    repo.ready = (async () => {
      repo.value = await this.read(repo);
      if (this.closed || this.repos.get(gitdir) !== repo) return;
      // Watch only the git dir itself, `logs/` and `logs/HEAD`: `logs/` may not exist before the first commit.
      const watcher = watch(gitdir, {
        ignoreInitial: true,
        depth: 1,
        ignored: (p: string) => {
          const abs = path.resolve(p);
          return !(abs === gitdir || abs === logsDir || abs === repo.headLog);
        },
      });
      repo.watcher = watcher;
      // chokidar drops a change within 50 ms of the previous one: read again a little later.
      const changed = (p: string) => {
        if (path.resolve(p) !== repo.headLog) return;
        this.refresh(repo);
        if (repo.trailing) clearTimeout(repo.trailing);
        repo.trailing = setTimeout(() => {
          repo.trailing = null;
          this.refresh(repo);
        }, TRAILING_READ_MS);
        repo.trailing.unref?.();
      };
      watcher.on('add', changed).on('change', changed).on('unlink', changed);
      watcher.on('error', (err) => this.onError(err instanceof Error ? err : new Error(String(err))));
      await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
      // A commit made between the first read and the watch being ready is caught here.
      if (reflogStamp(repo.headLog) !== repo.stamp) {
        this.refresh(repo);
        await repo.reading;
      }
    })();
    return repo;
  }

  /** Re-reads a repository's last commit, one read at a time; tells listeners when it changed. */
  private refresh(repo: Repo): void {
    if (repo.reading) {
      repo.again = true;
      return;
    }
    repo.reading = (async () => {
      do {
        repo.again = false;
        const value = await this.read(repo);
        if (this.closed || this.repos.get(repo.gitdir) !== repo) return;
        if (value !== repo.value) {
          repo.value = value;
          for (const key of repo.keys) for (const l of this.listeners) l(key, value);
        }
      } while (repo.again);
    })()
      .catch((err: unknown) => this.onError(err as Error))
      .finally(() => {
        repo.reading = null;
      });
  }

  private async read(repo: Repo): Promise<number | null> {
    repo.stamp = reflogStamp(repo.headLog);
    const fromReflog = lastCommitFromReflog(readTail(repo.headLog));
    if (fromReflog !== null) return fromReflog;
    try {
      const out = await this.runGit([`--git-dir=${repo.gitdir}`, 'log', '-1', '--format=%ct', 'HEAD'], repo.gitdir);
      const secs = Number(out.trim());
      return out.trim() !== '' && Number.isFinite(secs) ? secs * 1000 : null;
    } catch {
      return null; // no commit yet
    }
  }
}

/** Identifies a version of the reflog without reading it ('' when there is none). */
function reflogStamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return '';
  }
}

/** The last part of a file (whole lines only), or '' when it does not exist. */
function readTail(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fs.fstatSync(fd).size;
    const len = Math.min(size, REFLOG_TAIL);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    const text = buf.toString('utf8');
    return size > len ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    fs.closeSync(fd);
  }
}
