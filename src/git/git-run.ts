/**
 * Running git: always through execFile with an argument array (never a shell string),
 * with the caller's repository variables removed so that the folder decides the
 * repository, and with messages in English (they are read back).
 */
import { execFile, spawn } from 'node:child_process';

/** How one git run ended. */
export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A git run that ended with a code the caller did not accept. */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly result: GitResult,
  ) {
    super(`git ${args.join(' ')} failed (exit ${result.code}): ${firstLine(result.stderr) || firstLine(result.stdout) || 'no output'}`);
    this.name = 'GitError';
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

const REPO_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_CEILING_DIRECTORIES', 'GIT_PREFIX'];

/** The environment git runs with: the caller's, without its repository variables. */
export function gitEnv(base: NodeJS.ProcessEnv = process.env, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C', ...extra };
  for (const k of REPO_VARIABLES) delete env[k];
  return env;
}

export interface GitRunOptions {
  /** exit codes that are answers, not failures (default: only 0) */
  ok?: readonly number[];
  /** text written to git's stdin */
  input?: string;
  /** default 60 s */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const MAX_BUFFER = 256 * 1024 * 1024;

/** Runs `git ARGS` in `cwd`; rejects with GitError unless its exit code is accepted. */
export function runGit(cwd: string, args: readonly string[], options: GitRunOptions = {}): Promise<GitResult> {
  const ok = options.ok ?? [0];
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      { cwd, env: gitEnv(process.env, options.env), timeout: options.timeoutMs ?? 60_000, maxBuffer: MAX_BUFFER, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
        const result = { code, stdout: String(stdout), stderr: String(stderr) };
        if (code === -1) reject(Object.assign(new GitError(args, result), { cause: err }));
        else if (ok.includes(code)) resolve(result);
        else reject(new GitError(args, result));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/**
 * Runs git on the caller's terminal (its pager and colours as the user set them up);
 * resolves with its exit code.
 */
export function runGitInteractive(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], { cwd, env: { ...gitEnv(env), LC_ALL: env.LC_ALL ?? '' }, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
