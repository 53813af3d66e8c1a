/**
 * `muster completion bash|zsh|fish` prints a completion script; `muster completion
 * --agents` prints the project's agent names for it, one a line, read from files only
 * (the ledger `.muster/state.json`, else the team files): a Tab never waits for a
 * supervisor. main.ts runs this module without loading the rest of muster.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../errors.js';
import { COMMANDS } from '../args.js';
import { completionScript, SHELLS, type Shell } from '../completion-scripts.js';

export async function runCompletion(dir: string, shell: string | undefined, flags: { agents?: unknown }, out: NodeJS.WritableStream): Promise<number> {
  if (flags.agents) {
    const names = await agentCandidates(dir);
    if (names.length > 0) out.write(`${names.join('\n')}\n`);
    return 0;
  }
  if (shell === undefined || !(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(shell === undefined ? 'completion: name a shell' : `completion: unknown shell "${shell}"`, `Use one of: ${SHELLS.join(', ')}, e.g. source <(muster completion bash).`);
  }
  out.write(completionScript(shell as Shell, COMMANDS));
  return 0;
}

/** Agent ids (`team/agent`), names unique across the project, and for_each base names. */
export async function agentCandidates(dir: string): Promise<string[]> {
  const ids = fromLedger(dir) ?? (await fromTeamFiles(dir));
  const shortCount = new Map<string, number>();
  for (const id of ids.ids) {
    const short = id.slice(id.indexOf('/') + 1);
    shortCount.set(short, (shortCount.get(short) ?? 0) + 1);
  }
  const unique = [...shortCount].filter(([, n]) => n === 1).map(([name]) => name);
  return [...new Set([...ids.ids, ...unique, ...ids.bases])].sort();
}

interface Known {
  ids: string[];
  bases: string[];
}

/** The agents the supervisor last saved, or null without a ledger. */
function fromLedger(dir: string): Known | null {
  try {
    const saved = JSON.parse(fs.readFileSync(path.join(dir, '.muster', 'state.json'), 'utf8')) as { crew?: { agents?: Record<string, unknown> } };
    const ids = Object.keys(saved.crew?.agents ?? {}).filter((id) => id.includes('/'));
    return ids.length > 0 ? { ids, bases: [] } : null;
  } catch {
    return null;
  }
}

/** The agents the team files name (muster.yaml's `teams`, else teams/*.yaml); unreadable files are skipped. */
async function fromTeamFiles(dir: string): Promise<Known> {
  const { parse } = await import('yaml');
  const read = (file: string): unknown => {
    try {
      return parse(fs.readFileSync(path.resolve(dir, file), 'utf8'));
    } catch {
      return null;
    }
  };
  const project = read('muster.yaml') as { teams?: unknown } | null;
  const files = Array.isArray(project?.teams)
    ? project.teams.filter((t): t is string => typeof t === 'string')
    : (() => {
        try {
          return fs.readdirSync(path.join(dir, 'teams')).filter((f) => f.endsWith('.yaml')).map((f) => `teams/${f}`);
        } catch {
          return [];
        }
      })();
  const known: Known = { ids: [], bases: [] };
  for (const file of files) {
    const team = read(file) as { name?: unknown; agents?: unknown } | null;
    if (typeof team?.agents !== 'object' || team.agents === null) continue;
    const name = typeof team.name === 'string' ? team.name : path.basename(file, '.yaml');
    for (const [agent, body] of Object.entries(team.agents as Record<string, unknown>)) {
      const items = (body as { for_each?: unknown } | null)?.for_each;
      if (Array.isArray(items)) {
        known.bases.push(agent);
        for (const item of items) known.ids.push(`${name}/${agent}-${String(item)}`);
      } else known.ids.push(`${name}/${agent}`);
    }
  }
  return known;
}
