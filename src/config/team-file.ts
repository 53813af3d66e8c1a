/**
 * Checks one team file part by part (its own keys, `defaults`, each agent), so
 * one broken agent does not hide the problems of the others.
 */
import { basename, extname } from 'node:path';
import type { FileProblem } from '../errors.js';
import { check } from './issues.js';
import { agentSchema, defaultsSchema, NAME_HINT, NAME_RE, teamHeadSchema } from './schema.js';
import type { RawAgent, RawDefaults, RawTeamHead } from './schema.js';
import { problemAtStart, type Path, type YamlSource } from './yaml-source.js';

/** One agent as written, before defaults and for_each. `raw` is null when it has problems. */
export interface ParsedAgent {
  name: string;
  path: Path;
  raw: RawAgent | null;
  /** the `after` list as written, when it is a list of strings (even if `raw` is null) */
  after: string[];
}

/** A team file as far as it could be checked. */
export interface ParsedTeam {
  src: YamlSource;
  /** absolute path of the file */
  absFile: string;
  /** the team's name, or null when it is missing or invalid */
  name: string;
  nameValid: boolean;
  /** where the name is written (null when it comes from the file name) */
  namePath: Path | null;
  /** the team's own keys, or null when they have problems */
  head: RawTeamHead | null;
  /** `defaults`, or null when they have problems */
  defaults: RawDefaults | null;
  agents: ParsedAgent[];
}

/** True when nothing in the team was found wrong by this stage. */
export function isWhole(team: ParsedTeam): boolean {
  return team.nameValid && team.head !== null && team.defaults !== null && team.agents.every((a) => a.raw !== null);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a team file whose YAML parsed. Returns null when it is not even a map. */
export function parseTeamFile(src: YamlSource, absFile: string): { team: ParsedTeam | null; problems: FileProblem[] } {
  const problems: FileProblem[] = [];
  const value = src.value;
  if (!isMap(value)) {
    const what = value === null || value === undefined ? 'the file is empty' : 'the file is not a map';
    return { team: null, problems: [problemAtStart(src.file, `${what}: write a map with name and agents`)] };
  }
  const head = check(teamHeadSchema, value, src, [], 'team file');
  problems.push(...head.problems);

  const fileStem = basename(absFile, extname(absFile));
  const written = typeof value.name === 'string' ? value.name : null;
  const name = written ?? fileStem;
  const nameValid = NAME_RE.test(name) && (written !== null || value.name === undefined);
  if (!NAME_RE.test(name) && (written !== null || value.name === undefined)) {
    problems.push(
      written !== null
        ? src.problem(['name'], `bad team name ${JSON.stringify(name)}: ${NAME_HINT}`)
        : problemAtStart(src.file, `the file name gives the team name ${JSON.stringify(name)}, which is not valid: add name: (${NAME_HINT})`),
    );
  }

  let defaults: RawDefaults | null = {};
  if (value.defaults !== undefined) {
    const d = check(defaultsSchema, value.defaults, src, ['defaults'], 'defaults');
    problems.push(...d.problems);
    defaults = d.data;
  }

  const agents: ParsedAgent[] = [];
  if (isMap(value.agents)) {
    const entries = Object.entries(value.agents);
    if (entries.length === 0) problems.push(src.problem(['agents'], 'a team needs at least one agent'));
    for (const [agentName, rawAgent] of entries) {
      const path: Path = ['agents', agentName];
      const nameOk = NAME_RE.test(agentName);
      if (!nameOk) problems.push(src.problem(path, `bad agent name ${JSON.stringify(agentName)}: ${NAME_HINT}`, 'key'));
      const a = check(agentSchema, rawAgent, src, path, 'agent');
      problems.push(...a.problems);
      const after = isMap(rawAgent) && Array.isArray(rawAgent.after) ? rawAgent.after.filter((x): x is string => typeof x === 'string') : [];
      agents.push({ name: agentName, path, raw: nameOk ? a.data : null, after });
    }
  }
  return {
    team: { src, absFile, name, nameValid, namePath: written !== null ? ['name'] : null, head: head.data, defaults, agents },
    problems,
  };
}
