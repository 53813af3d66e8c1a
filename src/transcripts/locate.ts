/**
 * Where each agent CLI keeps the transcript of a session (docs/needs-you.md, "Tokens and
 * cost"), found by the session's id — never guessed from the folder the agent works in:
 *
 * - claude: `$CLAUDE_CONFIG_DIR` or `~/.claude`, `projects/<folder>/<id>.jsonl`
 * - codex: `$CODEX_HOME` or `~/.codex`, `sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`
 * - gemini: `$GEMINI_CLI_HOME` or `~`, `.gemini/tmp/<project>/chats/session-<time>-<first 8 of id>.jsonl`,
 *   the one whose first line names the whole id
 * - qwen: `$QWEN_HOME` or `~/.qwen`, `projects/<folder>/chats/<id>.jsonl`
 * - opencode: muster's own record, `<records>/<id>.jsonl` (its plugin writes it; opencode
 *   keeps its sessions in a database)
 *
 * `~` is the agent's HOME (its environment), not the supervisor's.
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';
import type { TranscriptFormat } from './formats.js';

export interface SessionRef {
  format: TranscriptFormat;
  /** the CLI's own session id */
  session: string;
  /** the agent's environment (HOME and the CLI's own variables) */
  env: Readonly<Record<string, string | undefined>>;
  /** the folder of muster's own usage records of the agent (formats muster writes: opencode) */
  records?: string;
}

function dirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

function files(dir: string, match: (name: string) => boolean): string[] {
  try {
    return readdirSync(dir)
      .filter(match)
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

function firstBytes(file: string, max = 4096): string {
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(max);
      return buf.toString('utf8', 0, readSync(fd, buf, 0, max, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** The session's transcript files, or none yet (the CLI writes it at its first message). */
export function locateTranscripts(ref: SessionRef): string[] {
  const { env, session } = ref;
  const home = env.HOME ?? '';
  const under = (v: string | undefined, fallback: string) => (v && v.length > 0 ? v : fallback);
  switch (ref.format) {
    case 'claude': {
      const root = path.join(under(env.CLAUDE_CONFIG_DIR, path.join(home, '.claude')), 'projects');
      return dirs(root).flatMap((d) => files(d, (n) => n === `${session}.jsonl`));
    }
    case 'codex': {
      const root = path.join(under(env.CODEX_HOME, path.join(home, '.codex')), 'sessions');
      const suffix = `-${session}.jsonl`;
      return dirs(root)
        .flatMap(dirs)
        .flatMap(dirs)
        .flatMap((d) => files(d, (n) => n.startsWith('rollout-') && n.endsWith(suffix)));
    }
    case 'gemini': {
      const root = path.join(under(env.GEMINI_CLI_HOME, home), '.gemini', 'tmp');
      const suffix = `-${session.slice(0, 8)}.jsonl`;
      return dirs(root)
        .flatMap((d) => files(path.join(d, 'chats'), (n) => n.startsWith('session-') && n.endsWith(suffix)))
        .filter((f) => firstBytes(f).includes(`"sessionId":"${session}"`));
    }
    case 'qwen': {
      const root = path.join(under(env.QWEN_HOME, path.join(home, '.qwen')), 'projects');
      return dirs(root).flatMap((d) => files(path.join(d, 'chats'), (n) => n === `${session}.jsonl`));
    }
    case 'opencode':
      return ref.records ? files(ref.records, (n) => n === `${session}.jsonl`) : [];
  }
}
