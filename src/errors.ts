/**
 * Typed errors. Each carries the exit code the CLI should use and a hint that
 * says who must act and what to try. docs/commands.md: 2 = bad usage or invalid files
 * (nothing started, nothing changed), 1 = any other failure.
 */
export type ExitCode = 1 | 2;

export class MusterError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | null;

  constructor(message: string, options: { exitCode?: ExitCode; hint?: string | null; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint ?? null;
  }
}

/** The user typed something the CLI cannot take. */
export class UsageError extends MusterError {
  constructor(message: string, hint: string | null = 'Run `muster --help` for the commands and flags.') {
    super(message, { exitCode: 2, hint });
  }
}

/** One problem in a user file, located by the YAML node that caused it. */
export interface FileProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatProblem(p: FileProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** Every problem found in the user's files, reported at once. */
export class ConfigError extends MusterError {
  readonly problems: FileProblem[];

  constructor(problems: FileProblem[], hint = 'Fix the files named above, then run `muster validate` to check them.') {
    const first = problems[0];
    super(
      problems.length === 1 && first
        ? formatProblem(first)
        : `${problems.length} problems in the team files`,
      { exitCode: 2, hint },
    );
    this.problems = problems;
  }
}

/** Another supervisor already runs for this project. */
export class LockedError extends MusterError {
  readonly pid: number;
  constructor(pid: number, lockFile: string) {
    super(`another muster supervisor (pid ${pid}) already runs for this project (${lockFile})`, {
      exitCode: 1,
      hint: 'Use `muster status` to see it, or `muster cleanup` if it is stuck.',
    });
    this.pid = pid;
  }
}

/** What an operating-system error code means for the user, and what to do about it. */
const SYSTEM_ERRORS: Record<string, { what: string; hint: string }> = {
  ENOSPC: { what: 'no space left on the device', hint: 'Free some disk space and run the command again; nothing was half-written.' },
  EDQUOT: { what: 'the disk quota is used up', hint: 'Free some space (or raise the quota) and run the command again.' },
  EACCES: { what: 'permission denied', hint: 'Run muster as the user who owns the project and its .muster/ folder.' },
  EPERM: { what: 'operation not permitted', hint: 'Run muster as the user who owns the project and its .muster/ folder.' },
  EROFS: { what: 'the file system is read-only', hint: 'Run muster on a project on a writable file system.' },
  ENOENT: { what: 'no such file or folder', hint: 'Check the path; `muster status` shows the project muster is using.' },
  ENOTDIR: { what: 'a part of the path is not a folder', hint: 'Check the path.' },
  EMFILE: { what: 'too many open files', hint: 'Raise the open-file limit (ulimit -n) and try again.' },
};

/** A Node system error (`err.code`, `err.path`) as one line, when its code is one users meet. */
function systemError(err: unknown): { text: string; exitCode: ExitCode } | null {
  const e = err as NodeJS.ErrnoException | null;
  const known = typeof e?.code === 'string' ? SYSTEM_ERRORS[e.code] : undefined;
  if (!known) return null;
  const where = e?.path ? `: ${e.path}` : '';
  const op = e?.syscall ? ` (${e.syscall})` : '';
  return { text: `muster: ${known.what}${where}${op}\nhint: ${known.hint}`, exitCode: 1 };
}

/** Renders an error as docs/commands.md says: what and where on one line, then what to do. */
export function renderError(err: unknown): { text: string; exitCode: ExitCode } {
  if (err instanceof ConfigError) {
    const lines = err.problems.map(formatProblem);
    if (err.hint) lines.push(`hint: ${err.hint}`);
    return { text: lines.join('\n'), exitCode: err.exitCode };
  }
  if (err instanceof MusterError) {
    const lines = [`muster: ${err.message}`];
    if (err.hint) lines.push(`hint: ${err.hint}`);
    return { text: lines.join('\n'), exitCode: err.exitCode };
  }
  // The stack only when asked for (MUSTER_DEBUG=1, docs/commands.md): a user gets one line.
  const debug = process.env.MUSTER_DEBUG === '1';
  const system = systemError(err);
  if (system && !debug) return system;
  const message = err instanceof Error ? (debug ? (err.stack ?? err.message) : err.message) : String(err);
  return {
    text: system
      ? `${system.text}\n${message}`
      : `muster: unexpected failure: ${message}\nhint: this is a bug in muster; please report it${debug ? ' with the lines above' : ' (MUSTER_DEBUG=1 adds the details a report needs)'}.`,
    exitCode: 1,
  };
}
