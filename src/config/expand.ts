/**
 * Turns the agents of a checked team file into resolved AgentSpecs: team
 * `defaults` merged key by key, then the built-in defaults, then `for_each`
 * expanded into one agent per item (`<name>-<item>`, `{item}` replaced).
 * `after` is left empty here: graph.ts resolves it across teams.
 */
import { isAbsolute, posix, resolve } from 'node:path';
import type { FileProblem } from '../errors.js';
import {
  DEFAULT_CHECKIN_GRACE_MS,
  DEFAULT_CHECKIN_NUDGE,
  DEFAULT_COMMIT_NUDGE,
  DEFAULT_LOGS,
  DEFAULT_PIDS,
  DEFAULT_PRIORITY,
  DEFAULT_RESTART,
} from './defaults.js';
import { NAME_HINT, NAME_RE, type RawAgent, type RawBudget, type RawCheckin, type RawCommit, type RawDefaults } from './schema.js';
import type { RawPreset } from './preset-schema.js';
import type { AgentSpec, BudgetSpec, CheckinSpec, CommitSpec, LogsSpec, RestartSpec, WorktreeSpec } from './types.js';
import type { ParsedAgent } from './team-file.js';
import type { Path, YamlSource } from './yaml-source.js';

/** One `after` entry as written (with `{item}` replaced) and where it is. */
export interface AfterRef {
  ref: string;
  path: Path;
}

/** An agent resolved but for its preset, which is read from files later (preset-file.ts). */
export type DraftAgentSpec = Omit<AgentSpec, 'preset' | 'mcp'> & { mcp: boolean | null };

/** An agent's `preset:` as written (a name or a map; undefined: detect it from `run`) and where. */
export interface PresetRef {
  value: string | RawPreset | undefined;
  path: Path;
}

/** A resolved agent plus what later stages need to report problems. */
export interface ExpandedAgent {
  spec: DraftAgentSpec;
  preset: PresetRef;
  /** the agent's name in the file (the for_each base name for expansions) */
  base: string;
  /** where the agent is written */
  path: Path;
  afterRefs: AfterRef[];
  /** where its working directory is written (agent, team defaults or team), or null for the project folder */
  cwdPath: Path | null;
  /** `worktree: { share: AGENT }` as written (resolved across teams by worktree-share.ts) */
  shareRef: AfterRef | null;
  /** where `worktree` and `base` are written (the agent or the team's defaults), for problems found later */
  worktreeAt: Path | null;
  baseAt: Path | null;
  /** where `mcp` is written (agent or team defaults) */
  mcpPath: Path;
}

/** The team-level values an agent inherits. */
export interface TeamContext {
  name: string;
  /** absolute */
  cwd: string;
  env: Record<string, string>;
  defaults: RawDefaults;
  src: YamlSource;
  /** where the team's `cwd` is written, or null when it has none */
  cwdPath?: Path | null;
  /** the project's log cap (muster.yaml `logs`), under the team's and the agent's */
  logs?: LogsSpec;
}

type Merged = Omit<RawAgent, 'after' | 'for_each'>;

/** Copies the keys of `over` that are set onto `under`. */
function overlay<T extends object>(under: T | undefined, over: T | undefined): T | undefined {
  if (over === undefined) return under;
  if (under === undefined) return over;
  const out: Record<string, unknown> = { ...(under as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Checkin and commit: `off` wins over a map, a map is merged with the default map. */
function overlayOff<T extends object>(under: T | 'off' | undefined, over: T | 'off' | undefined): T | 'off' | undefined {
  if (over === undefined) return under;
  if (over === 'off' || under === undefined || under === 'off') return over;
  return overlay(under, over);
}

/** Team defaults merged into one agent: maps key by key, other keys replaced. */
export function mergeDefaults(defaults: RawDefaults, agent: RawAgent): Merged {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(agent)) if (v !== undefined && k !== 'after' && k !== 'for_each') merged[k] = v;
  const m = merged as Merged;
  m.limits = overlay(defaults.limits, agent.limits);
  m.restart = overlay(defaults.restart, agent.restart);
  m.logs = overlay(defaults.logs, agent.logs);
  m.env = overlay(defaults.env, agent.env);
  m.checkin = overlayOff<Exclude<RawCheckin, 'off'>>(defaults.checkin, agent.checkin);
  m.commit = overlayOff<Exclude<RawCommit, 'off'>>(defaults.commit, agent.commit);
  m.budget = overlayOff<Exclude<RawBudget, 'off'>>(defaults.budget, agent.budget);
  return m;
}

function replaceItem(text: string, item: string | null): string {
  return item === null ? text : text.replaceAll('{item}', item);
}

/** The path of `key` in the agent when it sets it, else in the team defaults. */
function keyPath(agent: ParsedAgent, raw: RawAgent, key: keyof RawAgent): Path {
  return raw[key] !== undefined ? [...agent.path, key] : ['defaults', key];
}

/** Built-in defaults applied to the merged keys; problems for what is still missing. */
function resolveFeatures(agent: ParsedAgent, raw: RawAgent, m: Merged, src: YamlSource, problems: FileProblem[]) {
  let checkin: CheckinSpec | null = null;
  if (m.checkin !== undefined && m.checkin !== 'off') {
    if (m.checkin.every === undefined) {
      problems.push(src.problem(keyPath(agent, raw, 'checkin'), 'checkin needs "every" (e.g. every: 15m), or use checkin: off'));
    } else {
      checkin = {
        everyMs: m.checkin.every,
        graceMs: m.checkin.grace ?? DEFAULT_CHECKIN_GRACE_MS,
        onMiss: m.checkin.on_miss ?? 'nudge',
        nudge: m.checkin.nudge ?? DEFAULT_CHECKIN_NUDGE,
      };
    }
  }
  let commit: CommitSpec | null = null;
  if (m.commit !== undefined && m.commit !== 'off') {
    if (m.commit.every === undefined) {
      problems.push(src.problem(keyPath(agent, raw, 'commit'), 'commit needs "every" (e.g. every: 30m), or use commit: off'));
    } else {
      commit = { everyMs: m.commit.every, nudge: m.commit.nudge ?? DEFAULT_COMMIT_NUDGE };
    }
  }
  const restart: RestartSpec = {
    policy: m.restart?.policy ?? DEFAULT_RESTART.policy,
    max: m.restart?.max ?? DEFAULT_RESTART.max,
    withinMs: m.restart?.within ?? DEFAULT_RESTART.withinMs,
    backoffMs: m.restart?.backoff ?? DEFAULT_RESTART.backoffMs,
    maxBackoffMs: m.restart?.max_backoff ?? DEFAULT_RESTART.maxBackoffMs,
  };
  if (restart.backoffMs > restart.maxBackoffMs) {
    problems.push(src.problem(keyPath(agent, raw, 'restart'), `restart backoff (${restart.backoffMs}ms) is longer than max_backoff (${restart.maxBackoffMs}ms)`));
  }
  let budget: BudgetSpec | null = null;
  if (m.budget !== undefined && m.budget !== 'off') {
    if (m.budget.tokens === undefined && m.budget.cost === undefined) {
      problems.push(src.problem(keyPath(agent, raw, 'budget'), 'budget needs "tokens" or "cost" (e.g. tokens: 5M), or use budget: off'));
    } else {
      budget = {
        tokens: m.budget.tokens ?? null,
        cost: m.budget.cost ?? null,
        windowMs: m.budget.window ?? null,
        onExceed: m.budget.on_exceed ?? 'pause',
        countCache: m.budget.count_cache ?? false,
        nudge: m.budget.nudge ?? null,
      };
    }
  }
  return { checkin, commit, restart, budget };
}

/** An `include` entry that leaves the repository (absolute, or `..` at its start). */
function leavesRepository(entry: string): boolean {
  if (isAbsolute(entry)) return true;
  const normal = posix.normalize(entry.replaceAll('\\', '/'));
  return normal === '..' || normal.startsWith('../');
}

/** What the worktree keys of an agent resolve to; a share is resolved later (worktree-share.ts). */
interface WorktreeKeys {
  own: Omit<WorktreeSpec, 'owner'> | null;
  share: string | null;
  worktreeAt: Path | null;
  baseAt: Path | null;
}

function resolveWorktreeKeys(agent: ParsedAgent, raw: RawAgent, m: Merged, src: YamlSource, problems: FileProblem[]): WorktreeKeys {
  const at = (key: keyof RawAgent) => keyPath(agent, raw, key);
  const mode = m.worktree === undefined || m.worktree === 'off' ? 'off' : m.worktree === 'own' ? 'own' : 'share';
  const worktreeAt = m.worktree === undefined ? null : at('worktree');
  // Keys of a worktree of one's own, written on an agent that has none: a mistake worth saying.
  for (const key of ['base', 'include', 'setup'] as const) {
    if (raw[key] !== undefined && mode !== 'own') {
      const why = mode === 'share' ? 'the worktree it shares is set up by its owner' : 'it has no worktree';
      problems.push(src.problem([...agent.path, key], `${key} applies to worktree: own only (${why})`, 'key'));
    }
  }
  const include = m.include ?? [];
  include.forEach((entry, i) => {
    if (leavesRepository(entry)) {
      problems.push(src.problem([...at('include'), i], `include ${JSON.stringify(entry)} is outside the repository: name files inside it, relative to its top`));
    }
  });
  return {
    own: mode === 'own' ? { mode: 'own', base: m.base ?? null, include: [...include], setup: m.setup ?? null } : null,
    share: typeof m.worktree === 'object' ? m.worktree.share : null,
    worktreeAt,
    baseAt: m.base === undefined ? null : at('base'),
  };
}

/** The for_each items of an agent, checked: each must give a valid, new agent name. */
function items(agent: ParsedAgent, raw: RawAgent, taken: Set<string>, src: YamlSource, problems: FileProblem[]): (string | null)[] {
  if (raw.for_each === undefined) return [null];
  const out: string[] = [];
  raw.for_each.forEach((item, i) => {
    const name = `${agent.name}-${item}`;
    const at: Path = [...agent.path, 'for_each', i];
    if (out.includes(item)) problems.push(src.problem(at, `for_each item ${JSON.stringify(item)} is listed twice`));
    else if (!NAME_RE.test(name)) problems.push(src.problem(at, `for_each item ${JSON.stringify(item)} gives the agent name ${JSON.stringify(name)}: ${NAME_HINT}`));
    else if (taken.has(name)) problems.push(src.problem(at, `for_each item ${JSON.stringify(item)} gives the agent name ${JSON.stringify(name)}, which another agent has`));
    else {
      out.push(item);
      taken.add(name);
    }
  });
  return out;
}

/** The `after` entries of an agent that cannot be resolved, as written (those without `{item}`). */
function writtenRefs(agent: ParsedAgent): AfterRef[] {
  return agent.after.flatMap((ref, i) => (ref.includes('{item}') ? [] : [{ ref, path: [...agent.path, 'after', i] }]));
}

/** A team none of whose agents can be resolved (its own keys have problems). */
export function dropAll(agents: readonly ParsedAgent[]): Omit<Expansion, 'problems'> {
  return { agents: [], dropped: agents.map((a) => a.name), droppedRefs: agents.flatMap(writtenRefs) };
}

/** The agents of one team: the resolved ones, and the names of those left out for their problems. */
export interface Expansion {
  agents: ExpandedAgent[];
  /** names (as written) of agents left out: references to them are not checked */
  dropped: string[];
  /** the `after` entries of agents left out: their targets are still checked */
  droppedRefs: AfterRef[];
  problems: FileProblem[];
}

/** Resolves the agents of one team. Agents with problems are left out. */
export function expandAgents(team: TeamContext, agents: readonly ParsedAgent[]): Expansion {
  const problems: FileProblem[] = [];
  const out: ExpandedAgent[] = [];
  const dropped: string[] = [];
  const droppedRefs: AfterRef[] = [];
  const drop = (agent: ParsedAgent) => {
    dropped.push(agent.name);
    droppedRefs.push(...writtenRefs(agent));
  };
  const taken = new Set(agents.filter((a) => a.raw?.for_each === undefined).map((a) => a.name));
  for (const agent of agents) {
    const raw = agent.raw;
    if (raw === null) {
      drop(agent);
      continue;
    }
    const m = mergeDefaults(team.defaults, raw);
    const before = problems.length;
    if (m.run === undefined) problems.push(team.src.problem(agent.path, `agent ${JSON.stringify(agent.name)} has no "run": add the command to run`, 'key'));
    const features = resolveFeatures(agent, raw, m, team.src, problems);
    const wt = resolveWorktreeKeys(agent, raw, m, team.src, problems);
    const expansions = items(agent, raw, taken, team.src, problems);
    if (problems.length > before || m.run === undefined) {
      drop(agent);
      continue;
    }
    for (const item of expansions) {
      const name = item === null ? agent.name : `${agent.name}-${item}`;
      const env: Record<string, string> = { ...team.env };
      for (const [k, v] of Object.entries(m.env ?? {})) env[k] = replaceItem(v, item);
      const spec: DraftAgentSpec = {
        id: `${team.name}/${name}`,
        team: team.name,
        name,
        run: replaceItem(m.run, item),
        cwd: resolve(team.cwd, replaceItem(m.cwd ?? '.', item)),
        env,
        prompt: m.prompt === undefined ? null : replaceItem(m.prompt, item),
        after: [],
        priority: m.priority ?? DEFAULT_PRIORITY,
        limits: {
          cpu: m.limits?.cpu ?? null,
          memory: m.limits?.memory ?? null,
          pids: m.limits?.pids === undefined ? DEFAULT_PIDS : m.limits.pids,
          onMemory: m.limits?.on_memory ?? 'restart',
          onCpu: m.limits?.on_cpu ?? 'throttle',
        },
        ...features,
        logs: { maxBytes: m.logs?.max ?? team.logs?.maxBytes ?? DEFAULT_LOGS.maxBytes, keep: m.logs?.keep ?? team.logs?.keep ?? DEFAULT_LOGS.keep },
        optional: m.optional ?? false,
        uses: [...(m.uses ?? [])],
        timeoutMs: m.timeout ?? null,
        expectMs: m.expect ?? null,
        retries: m.retries ?? 0,
        resume: m.resume ?? 'auto',
        mcp: m.mcp ?? null,
        item,
        worktree: wt.own
          ? {
              ...wt.own,
              owner: `${team.name}/${name}`,
              base: wt.own.base === null ? null : replaceItem(wt.own.base, item),
              include: wt.own.include.map((e) => replaceItem(e, item)),
              setup: wt.own.setup === null ? null : replaceItem(wt.own.setup, item),
            }
          : null,
      };
      const afterRefs = (raw.after ?? []).map((ref, i) => ({ ref: replaceItem(ref, item), path: [...agent.path, 'after', i] }));
      const shareRef = wt.share === null || wt.worktreeAt === null ? null : { ref: replaceItem(wt.share, item), path: [...wt.worktreeAt, 'share'] };
      const cwdPath = raw.cwd !== undefined ? [...agent.path, 'cwd'] : team.defaults.cwd !== undefined ? ['defaults', 'cwd'] : (team.cwdPath ?? null);
      out.push({
        spec,
        base: agent.name,
        path: agent.path,
        afterRefs,
        cwdPath,
        preset: { value: m.preset, path: keyPath(agent, raw, 'preset') },
        shareRef,
        worktreeAt: wt.worktreeAt,
        baseAt: wt.baseAt,
        mcpPath: keyPath(agent, raw, 'mcp'),
      });
    }
  }
  return { agents: out, dropped, droppedRefs, problems };
}
