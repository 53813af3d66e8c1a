/**
 * Loads and checks a whole project: `muster.yaml`, the team files and their
 * layouts. Every problem in every file is collected; nothing is resolved
 * unless everything is right.
 */
import { join, resolve } from 'node:path';
import { ConfigError, type FileProblem } from '../errors.js';
import { relativeInside } from '../sys/inside-dir.js';
import { DEFAULT_LAYOUT_NAME } from './defaults.js';
import { dropAll, expandAgents, type ExpandedAgent, type Expansion } from './expand.js';
import { resolveAfter, type GraphTeam } from './graph.js';
import { nodeIo, type ConfigIo } from './io.js';
import { BUILTIN_LAYOUTS_DIR, layoutNames, loadLayout, type LayoutDirs, type LayoutFile } from './layout-file.js';
import { BUILTIN_PRESETS_DIR, PresetLibrary, type Resolved } from './preset-file.js';
import type { PresetSpec } from './preset-types.js';
import { BUILTIN_PRICES_FILE, readPriceFile } from './price-file.js';
import { readProjectFile, PROJECT_FILE, type ProjectFile } from './project-file.js';
import { LAYOUT_NAME_RE } from './schema.js';
import { orList } from './suggest.js';
import { isWhole, parseTeamFile, type ParsedTeam } from './team-file.js';
import type { ProjectSpec, TeamSpec } from './types.js';
import { resolveWindows } from './windows.js';
import { parseYamlSource, problemAtStart, type Path, type YamlSource } from './yaml-source.js';
import { checkWorktreeRepos, type RepoProbe } from './worktree-repo-check.js';
import { resolveShares } from './worktree-share.js';

/** Ways to run the loader elsewhere than on the real file system. */
export interface LoadOptions {
  io?: ConfigIo;
  /** the built-in layouts folder (default: the package's `layouts/`) */
  builtinLayoutsDir?: string;
  /** the built-in presets folder (default: the package's `presets/`) */
  builtinPresetsDir?: string;
  /** the package's price table (default: its `prices.yaml`) */
  builtinPricesFile?: string;
  /**
   * Asks git about the repositories of agents with `worktree: own` (`validate` and `up`
   * pass one); without it those checks are left out.
   */
  repoProbe?: RepoProbe;
}

/** Everything that was found: the project when it is valid, and every problem. */
export interface Validation {
  project: ProjectSpec | null;
  problems: FileProblem[];
}

/** A team file to read, and where it was named (for "not found"). */
interface TeamFileRef {
  abs: string;
  namedAt: { src: YamlSource; path: Path } | null;
}

/** Shows a path relative to the project when it is inside it. */
export function displayPath(dir: string, abs: string): string {
  const rel = relativeInside(dir, abs);
  return rel === null ? abs : rel === '' ? '.' : rel;
}

function sortProblems(problems: readonly FileProblem[]): FileProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.file}\0${p.line}\0${p.col}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}

/** The team files to read: the command line's, else muster.yaml's `teams`, else `teams/*.yaml`. */
async function teamFileRefs(dir: string, files: readonly string[] | undefined, project: ProjectFile, io: ConfigIo, problems: FileProblem[]): Promise<TeamFileRef[]> {
  let refs: TeamFileRef[];
  if (files !== undefined && files.length > 0) {
    refs = files.map((f) => ({ abs: resolve(dir, f), namedAt: null }));
  } else if (project.teams !== null && project.src !== null) {
    const src = project.src;
    refs = project.teams.map((t) => ({ abs: resolve(dir, t.path), namedAt: { src, path: t.at } }));
    if (refs.length === 0) problems.push(src.problem(['teams'], 'no team files listed: name at least one, e.g. [teams/web.yaml]'));
  } else if (!project.teamsKnown) {
    return [];
  } else {
    const names = (await io.listDir(join(dir, 'teams'))).filter((f) => f.endsWith('.yaml'));
    refs = names.map((f) => ({ abs: join(dir, 'teams', f), namedAt: null }));
    if (refs.length === 0) {
      problems.push(
        problemAtStart(PROJECT_FILE, 'no team files: add teams/<team>.yaml, list files under "teams" in muster.yaml, or name them on the command line'),
      );
    }
  }
  const seen = new Set<string>();
  return refs.filter((r) => (seen.has(r.abs) ? false : (seen.add(r.abs), true)));
}

/** Reads and checks each team file; unreadable ones become problems. */
async function readTeams(refs: readonly TeamFileRef[], io: ConfigIo, show: (abs: string) => string, problems: FileProblem[]) {
  const teams: ParsedTeam[] = [];
  let partial = false;
  for (const ref of refs) {
    const read = await io.readText(ref.abs);
    if ('error' in read) {
      partial = true;
      const shown = show(ref.abs);
      problems.push(
        ref.namedAt ? ref.namedAt.src.problem(ref.namedAt.path, `team file ${JSON.stringify(shown)}: ${read.error}`) : problemAtStart(shown, read.error),
      );
      continue;
    }
    const src = parseYamlSource(show(ref.abs), read.text);
    if (src.syntaxProblems.length > 0) {
      partial = true;
      problems.push(...src.syntaxProblems);
      continue;
    }
    const parsed = parseTeamFile(src, ref.abs);
    problems.push(...parsed.problems);
    if (parsed.team === null) partial = true;
    else teams.push(parsed.team);
  }
  return { teams, partial };
}

/** Keeps the first team of each name; later ones are problems. */
function uniqueTeams(teams: readonly ParsedTeam[], problems: FileProblem[]): { teams: ParsedTeam[]; partial: boolean } {
  const first = new Map<string, ParsedTeam>();
  let partial = false;
  for (const team of teams) {
    if (!team.nameValid) {
      partial = true;
      continue;
    }
    const earlier = first.get(team.name);
    if (earlier) {
      partial = true;
      const message = `team ${JSON.stringify(team.name)} is already defined in ${earlier.src.file}`;
      problems.push(team.namePath ? team.src.problem(team.namePath, message) : problemAtStart(team.src.file, message));
      continue;
    }
    first.set(team.name, team);
  }
  return { teams: [...first.values()], partial };
}

/** The layout a team names, checked and located; null when it names none or it has problems. */
async function teamLayout(
  team: ParsedTeam,
  dirs: LayoutDirs,
  io: ConfigIo,
  show: (abs: string) => string,
  cache: Map<string, LayoutFile | null>,
  problems: FileProblem[],
): Promise<LayoutFile | null> {
  const name = team.head?.layout;
  if (name === undefined) return null;
  if (!LAYOUT_NAME_RE.test(name)) {
    problems.push(team.src.problem(['layout'], `bad layout name ${JSON.stringify(name)}: use a-z, 0-9, _ and -`));
    return null;
  }
  if (!cache.has(name)) cache.set(name, await loadLayout(name, dirs, io, show));
  const layout = cache.get(name) ?? null;
  if (layout === null) {
    const known = orList(await layoutNames(dirs, io));
    problems.push(team.src.problem(['layout'], `unknown layout ${JSON.stringify(name)}: use ${known}, or add layouts/${name}.yaml`));
    return null;
  }
  problems.push(...layout.problems);
  return layout;
}

/** The preset an agent names (or extends inline), else the one its `run` program picks. */
async function agentPreset(lib: PresetLibrary, agent: ExpandedAgent, src: YamlSource): Promise<Resolved> {
  const { value, path } = agent.preset;
  if (typeof value === 'string') return lib.byName(value, { src, path });
  const detected = await lib.detect(agent.spec.run);
  return value === undefined ? lib.byName(detected, null) : lib.inline(value, src, path, detected);
}

/**
 * Working directories that do not exist, each at the `cwd` that names it. muster creates
 * no folder for an agent (a worktree's `setup` runs inside the worktree, after this check:
 * docs/reliability.md), so a missing one is an error here
 * rather than a launch that fails later.
 */
async function missingFolders(agents: readonly ExpandedAgent[], src: YamlSource, io: ConfigIo, show: (abs: string) => string): Promise<FileProblem[]> {
  const problems: FileProblem[] = [];
  const known = new Map<string, boolean>();
  for (const { spec, cwdPath } of agents) {
    if (!known.has(spec.cwd)) known.set(spec.cwd, await io.isDir(spec.cwd));
    if (known.get(spec.cwd)) continue;
    const shown = show(spec.cwd);
    problems.push(
      src.problem(cwdPath ?? [], `working directory ${JSON.stringify(shown)} does not exist: create it (mkdir -p ${shown}) or fix cwd`),
    );
  }
  return problems;
}

/**
 * Checks the project in `dir` (team files from `files`, relative to `dir`,
 * else from muster.yaml, else `teams/*.yaml`) and returns every problem; the
 * project is returned only when there are none.
 */
export async function validateProject(dir: string, files?: readonly string[], options: LoadOptions = {}): Promise<Validation> {
  const io = options.io ?? nodeIo;
  const absDir = resolve(dir);
  const show = (abs: string) => displayPath(absDir, abs);
  const dirs: LayoutDirs = { project: join(absDir, 'layouts'), builtin: options.builtinLayoutsDir ?? BUILTIN_LAYOUTS_DIR };
  const problems: FileProblem[] = [];

  const project = await readProjectFile(absDir, io, show);
  problems.push(...project.problems);
  const refs = await teamFileRefs(absDir, files, project, io, problems);
  const read = await readTeams(refs, io, show, problems);
  const unique = uniqueTeams(read.teams, problems);

  const expanded = new Map<ParsedTeam, Omit<Expansion, 'problems'>>();
  for (const team of unique.teams) {
    const { head, defaults } = team;
    if (head === null || defaults === null) {
      expanded.set(team, dropAll(team.agents));
      continue;
    }
    const cwdPath = head.cwd === undefined ? null : ['cwd'];
    const context = { name: team.name, cwd: resolve(absDir, head.cwd ?? '.'), env: head.env ?? {}, defaults, src: team.src, cwdPath, logs: project.logs };
    const result = expandAgents(context, team.agents);
    problems.push(...result.problems);
    problems.push(...(await missingFolders(result.agents, team.src, io, show)));
    expanded.set(team, result);
  }

  const graphTeams: GraphTeam[] = unique.teams.map((t) => ({ name: t.name, src: t.src, ...(expanded.get(t) ?? { agents: [], dropped: [], droppedRefs: [] }) }));
  const graph = resolveAfter(graphTeams, read.partial || unique.partial);
  problems.push(...graph.problems);
  const shares = resolveShares(graphTeams, read.partial || unique.partial);
  problems.push(...shares.problems);
  if (options.repoProbe) problems.push(...(await checkWorktreeRepos(graphTeams, options.repoProbe)));

  const layouts = new Map<string, LayoutFile | null>();
  const presetLib = new PresetLibrary({ project: join(absDir, 'presets'), builtin: options.builtinPresetsDir ?? BUILTIN_PRESETS_DIR }, io, show);
  const teams: TeamSpec[] = [];
  for (const team of unique.teams) {
    const { agents, dropped } = expanded.get(team) ?? { agents: [], dropped: [] };
    const layout = await teamLayout(team, dirs, io, show, layouts, problems);
    const placed = resolveWindows({ name: team.name, agents: agents.map((a) => ({ name: a.spec.name, base: a.base })), dropped }, layout);
    problems.push(...placed.problems);
    const presets: (PresetSpec | null)[] = [];
    for (const agent of agents) {
      const resolved = await agentPreset(presetLib, agent, team.src);
      problems.push(...resolved.problems);
      presets.push(resolved.preset);
      if (agent.spec.mcp === true && resolved.preset && resolved.preset.mcp === null) {
        problems.push(team.src.problem(agent.mcpPath, `mcp: true, but preset ${resolved.preset.name} says no way to give ${agent.spec.id} an MCP server per run: add an mcp section to the preset (docs/presets.md) or use mcp: false`));
      }
    }
    if (team.head === null || !isWhole(team)) continue;
    teams.push({
      name: team.name,
      file: team.absFile,
      cwd: resolve(absDir, team.head.cwd ?? '.'),
      maxParallel: team.head.max_parallel ?? null,
      layoutName: team.head.layout ?? DEFAULT_LAYOUT_NAME,
      windows: placed.windows,
      agents: agents.map((a, i) => {
        const preset = presets[i] as PresetSpec;
        return {
          ...a.spec,
          preset,
          mcp: a.spec.mcp ?? (preset !== null && preset.mcp !== null),
          after: graph.after.get(a.spec.id) ?? [],
          worktree: shares.worktree.get(a.spec.id) ?? a.spec.worktree,
        };
      }),
    });
  }

  const builtinPrices = await readPriceFile(options.builtinPricesFile ?? BUILTIN_PRICES_FILE, 'prices.yaml (muster)', io);
  problems.push(...builtinPrices.problems);

  const sorted = sortProblems(problems);
  if (sorted.length > 0) return { project: null, problems: sorted };
  return {
    project: {
      dir: absDir,
      file: project.absFile,
      teams,
      pulseMs: project.pulseMs,
      ceiling: project.ceiling,
      logs: project.logs,
      requires: project.requires,
      prices: [...project.prices, ...builtinPrices.entries],
      notify: project.notify,
    },
    problems: [],
  };
}

/**
 * Loads the project in `dir`. `files` (from the command line, relative to
 * `dir`) replace muster.yaml's `teams`. Throws ConfigError with every problem.
 */
export async function loadProject(dir: string, files?: string[], options: LoadOptions = {}): Promise<ProjectSpec> {
  const { project, problems } = await validateProject(dir, files, options);
  if (project === null) throw new ConfigError(problems.length > 0 ? problems : [problemAtStart(PROJECT_FILE, 'the project could not be loaded')]);
  return project;
}
