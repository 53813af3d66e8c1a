/** The optional project file `muster.yaml` (README, "A team file"). */
import { join } from 'node:path';
import type { FileProblem } from '../errors.js';
import { DEFAULT_LOGS, DEFAULT_NOTIFY, DEFAULT_PULSE_MS } from './defaults.js';
import type { ConfigIo } from './io.js';
import { check } from './issues.js';
import { projectSchema, projectTeamsSchema } from './schema.js';
import { priceEntries } from './price-file.js';
import type { PriceEntry } from '../usage/prices.js';
import type { CeilingSpec, LogsSpec, NotifySpec, RequiresSpec } from './types.js';
import { parseYamlSource, problemAtStart, type Path, type YamlSource } from './yaml-source.js';

/** The project file's name, in the project folder. */
export const PROJECT_FILE = 'muster.yaml';

/** A team file named by the project file, and where it is named. */
export interface TeamEntry {
  path: string;
  at: Path;
}

/** The project file's settings with defaults applied. */
export interface ProjectFile {
  /** absolute path, or null when the project has no muster.yaml */
  absFile: string | null;
  src: YamlSource | null;
  /** the `teams` list, or null when it is not given (or unreadable) */
  teams: TeamEntry[] | null;
  /** false when the file has problems that hide its `teams` list */
  teamsKnown: boolean;
  pulseMs: number;
  ceiling: CeilingSpec;
  logs: LogsSpec;
  requires: RequiresSpec;
  /** the project's `prices:`, read before the package's table */
  prices: PriceEntry[];
  notify: NotifySpec;
  problems: FileProblem[];
}

/** Reads `<dir>/muster.yaml` if there is one; `show` names files in problems. */
export async function readProjectFile(dir: string, io: ConfigIo, show: (abs: string) => string): Promise<ProjectFile> {
  const absFile = join(dir, PROJECT_FILE);
  const base: ProjectFile = {
    absFile: null,
    src: null,
    teams: null,
    teamsKnown: true,
    pulseMs: DEFAULT_PULSE_MS,
    ceiling: { cpu: null, memory: null },
    logs: DEFAULT_LOGS,
    requires: { commands: [], env: [], ports: [], disk: null },
    prices: [],
    notify: DEFAULT_NOTIFY,
    problems: [],
  };
  const read = await io.readText(absFile);
  if ('error' in read) {
    if (read.error === 'file not found') return base;
    return { ...base, absFile, teamsKnown: false, problems: [problemAtStart(show(absFile), read.error)] };
  }
  const src = parseYamlSource(show(absFile), read.text);
  if (src.syntaxProblems.length > 0) return { ...base, absFile, src, teamsKnown: false, problems: src.syntaxProblems };
  if (src.value === null || src.value === undefined) return { ...base, absFile, src };

  const checked = check(projectSchema, src.value, src, [], 'project file');
  const entries = (list: string[]): TeamEntry[] => list.map((path, i) => ({ path, at: ['teams', i] }));
  if (!checked.ok) {
    const raw = typeof src.value === 'object' && !Array.isArray(src.value) ? (src.value as { teams?: unknown }).teams : undefined;
    const teams = raw === undefined ? null : projectTeamsSchema.safeParse(raw);
    return {
      ...base,
      absFile,
      src,
      teams: teams?.success ? entries(teams.data) : null,
      teamsKnown: teams === null || teams.success,
      problems: checked.problems,
    };
  }
  const p = checked.data;
  return {
    ...base,
    absFile,
    src,
    teams: p.teams ? entries(p.teams) : null,
    pulseMs: p.pulse ?? DEFAULT_PULSE_MS,
    ceiling: { cpu: p.ceiling?.cpu ?? null, memory: p.ceiling?.memory ?? null },
    logs: { maxBytes: p.logs?.max ?? DEFAULT_LOGS.maxBytes, keep: p.logs?.keep ?? DEFAULT_LOGS.keep },
    requires: {
      commands: p.requires?.commands ?? [],
      env: p.requires?.env ?? [],
      ports: p.requires?.ports ?? [],
      disk: p.requires?.disk ?? null,
    },
    prices: p.prices ? priceEntries(p.prices, src, ['prices']) : [],
    notify: {
      command: p.notify?.command ?? null,
      on: p.notify?.on ?? DEFAULT_NOTIFY.on,
      timeoutMs: p.notify?.timeout ?? DEFAULT_NOTIFY.timeoutMs,
      desktop: p.notify?.desktop ?? DEFAULT_NOTIFY.desktop,
    },
  };
}
