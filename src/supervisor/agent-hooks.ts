/**
 * Per-run hooks and session arguments of an agent CLI (README, "Sessions, resume and
 * hooks"; docs/presets.md): what is added to the agent's command line and environment
 * so that the CLI names or resumes its conversation and reports its state to muster,
 * without touching the user's own settings files.
 *
 * A hook is one small shell command: it keeps the first 1 KiB of the payload the CLI
 * gives on stdin (where the session id is), drains the rest, and appends one line to the
 * agent's report file `.muster/hooks/<team>/<agent>.log` with a single write. No Node
 * starts per event; the supervisor reads the file (hook-reports.ts).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HooksSpec } from '../config/preset-types.js';
import type { AgentSpec } from '../config/types.js';
import { makePrivateDir, writeFileAtomic } from '../sys/atomic-file.js';
import { shellQuote } from '../text/shell-quote.js';
import { pluginModule } from './hook-plugin.js';
import type { StatePaths } from './paths.js';

/** The first field of every report line (the format's version). */
export const REPORT_MARK = 'M1';
/** How much of a hook's payload is kept: the session id is near its start. */
export const PAYLOAD_BYTES = 1024;

const HOOK_SCRIPT =
  `l=$(head -c ${PAYLOAD_BYTES} | tr '\\n\\r\\t' '   '); cat >/dev/null; ` +
  `printf '${REPORT_MARK}\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$1" "$2" "$3" "$4" "$MUSTER_AGENT" "$l" >>"$5" 2>/dev/null; exit 0`;

function agentParts(agentId: string): [string, string] {
  const [team = '', name = ''] = agentId.split('/');
  return [team, name];
}

/** `.muster/hooks/<team>/<agent>.log`: the lines the agent's hooks append. */
export function hookReportFile(paths: StatePaths, agentId: string): string {
  const [team, name] = agentParts(agentId);
  return path.join(paths.stateDir, 'hooks', team, `${name}.log`);
}

function hookSettingsFile(paths: StatePaths, agentId: string): string {
  const [team, name] = agentParts(agentId);
  return path.join(paths.stateDir, 'hooks', team, `${name}.settings.json`);
}

function hookPluginFile(paths: StatePaths, agentId: string): string {
  const [team, name] = agentParts(agentId);
  return path.join(paths.stateDir, 'hooks', team, `${name}.plugin.mjs`);
}

/** `.muster/hooks/<team>/<agent>.usage/`: a plugin's record of each session's tokens (`<session>.jsonl`). */
export function hookUsageDir(paths: StatePaths, agentId: string): string {
  const [team, name] = agentParts(agentId);
  return path.join(paths.stateDir, 'hooks', team, `${name}.usage`);
}

function agentHome(paths: StatePaths, agentId: string): string {
  const [team, name] = agentParts(agentId);
  return path.join(paths.stateDir, 'homes', team, name);
}

/** Where muster's settings file for the agent's CLI goes: in a home of the agent's own (`hooks.home`), or beside its report file. */
function hookPlaces(spec: AgentSpec, paths: StatePaths, hooks: HooksSpec): { file: string; home: string } {
  if (!hooks.home || hooks.format === 'plugin' || hooks.format === 'config-args') return { file: hookSettingsFile(paths, spec.id), home: '' };
  const home = agentHome(paths, spec.id);
  return { file: path.join(home, hooks.home, 'settings.json'), home };
}

/**
 * What the agent's CLI is given beside its run line, for readers of the CLI's own files:
 * the hooks' environment (`GEMINI_CLI_HOME`: where Gemini CLI keeps its sessions) and the
 * folder of muster's own usage records. Nothing is written.
 */
export function cliFiles(spec: AgentSpec, paths: StatePaths): { env: Record<string, string>; records: string } {
  const { hooks } = spec.preset;
  return { env: hooks ? pointAt(hooks, hookPlaces(spec, paths, hooks)).env : {}, records: hookUsageDir(paths, spec.id) };
}

/** The shell command one hook runs: reports `state` for `event` of this attempt. */
export function hookCommand(file: string, agentId: string, attempt: number, state: string, event: string): string {
  return ['sh', '-c', HOOK_SCRIPT, 'muster-hook', agentId, String(attempt), state, event, file].map(shellQuote).join(' ');
}

export interface AgentLaunchExtras {
  /** words added to the agent's command line */
  args: string[];
  env: Record<string, string>;
  /** the session id of a fresh start: muster's choice, or the one the agent's own `run` gives (null: resumed, or learnt from the hooks) */
  session: string | null;
  /** the agent's command to add `args` to: its `run`, without its own session flag when resuming */
  run: string;
  /**
   * variables the hooks set that the agent's `run` sets again itself (`OPENCODE_CONFIG=… opencode`):
   * the run's value wins, and the CLI never sees muster's hooks
   */
  shadowed: string[];
}

/** Names of `names` that `run` assigns itself (`NAME=…` as a word of the command line). */
export function assignedInRun(run: string, names: readonly string[]): string[] {
  return names.filter((n) => new RegExp(`(^|[\\s;&|('"])${n.replace(/[^A-Za-z0-9_]/g, '')}=`).test(run));
}

/** The session id the agent's own `run` gives with the preset's start flag (`--session-id X`), where and how long. */
export function givenSession(run: string, start: readonly string[] | null): { id: string; index: number; length: number } | null {
  const at = start?.indexOf('{id}') ?? -1;
  const flag = at > 0 ? start?.[at - 1] : undefined;
  if (!flag) return null;
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`(^|\\s)${escaped}(?:=|\\s+)(['"]?)([A-Za-z0-9][A-Za-z0-9._-]{0,127})\\2(?=\\s|$)`).exec(run);
  if (!m || m[3] === undefined) return null;
  const lead = m[1]?.length ?? 0;
  return { id: m[3], index: m.index + lead, length: m[0].length - lead };
}

/**
 * What attempt `attempt` adds to the agent's command: the resume form for `resume`, else
 * the start form with a new id; the hooks' arguments and environment, their files written.
 */
export function launchExtras(spec: AgentSpec, paths: StatePaths, attempt: number, resume: string | null): AgentLaunchExtras {
  const { session: form, hooks } = spec.preset;
  // A `run` that names its session itself (`claude --session-id X`) keeps it: muster adds
  // no second id, and a resume replaces that flag with the resume form.
  const given = givenSession(spec.run, form.start);
  let session: string | null = null;
  let args: string[] = [];
  let run = spec.run;
  if (resume !== null && form.resume) {
    args = fill(form.resume, { id: resume });
    if (given) run = [spec.run.slice(0, given.index).trimEnd(), spec.run.slice(given.index + given.length).trimStart()].filter(Boolean).join(' ');
  } else if (given) {
    session = given.id;
  } else if (form.start) {
    session = randomUUID();
    args = fill(form.start, { id: session });
  }
  const env: Record<string, string> = {};
  if (hooks) {
    const installed = installHooks(spec, paths, attempt, hooks);
    args.push(...installed.args);
    Object.assign(env, installed.env);
  }
  return { args, env, session, run, shadowed: assignedInRun(run, Object.keys(env)) };
}

function fill(words: readonly string[], values: Record<string, string>): string[] {
  return words.map((w) => w.replace(/\{(id|file|home)\}/g, (m, k: string) => values[k] ?? m));
}

function installHooks(spec: AgentSpec, paths: StatePaths, attempt: number, hooks: HooksSpec): { args: string[]; env: Record<string, string> } {
  const report = hookReportFile(paths, spec.id);
  makePrivateDir(path.dirname(report));
  const command = (state: string, event: string) => hookCommand(report, spec.id, attempt, state, event);
  if (hooks.format === 'config-args') {
    const args: string[] = [];
    for (const [event, entries] of groupEvents(hooks)) {
      const list = entries.map((e) => `{matcher=${toml(e.match ?? '*')},hooks=[{type="command",command=${toml(command(e.state, event))}}]}`);
      args.push('-c', `hooks.${event}=[${list.join(',')}]`);
    }
    const pointed = pointAt(hooks, hookPlaces(spec, paths, hooks));
    return { args: [...args, ...pointed.args], env: pointed.env };
  }
  if (hooks.format === 'plugin') {
    const module = hookPluginFile(paths, spec.id);
    writeFileAtomic(module, pluginModule({ report, agent: spec.id, attempt, events: hooks.events, usageDir: hookUsageDir(paths, spec.id), mark: REPORT_MARK, payloadBytes: PAYLOAD_BYTES }));
    const places = hookPlaces(spec, paths, hooks);
    const settings = fillDeep(hooks.settings, { plugin: pathToFileURL(module).href });
    writeFileAtomic(places.file, JSON.stringify(mergeSettings(usersOwn(spec, hooks), settings), null, 2));
    return pointAt(hooks, places);
  }
  const ours: Record<string, unknown[]> = {};
  for (const [event, entries] of groupEvents(hooks)) {
    ours[event] = entries.map((e) => ({ ...(e.match ? { matcher: e.match } : {}), hooks: [{ type: 'command', command: command(e.state, event) }] }));
  }
  const { file, home } = hookPlaces(spec, paths, hooks);
  if (hooks.home) {
    const dir = path.dirname(file);
    const userDir = path.join(spec.env.HOME ?? os.homedir(), hooks.home);
    makePrivateDir(dir);
    linkUserEntries(userDir, dir);
    const user = readJson(path.join(userDir, 'settings.json'));
    writeFileAtomic(file, JSON.stringify(mergeSettings(mergeSettings(user, hooks.settings), { hooks: ours }), null, 2));
  } else {
    writeFileAtomic(file, JSON.stringify(mergeSettings(mergeSettings(usersOwn(spec, hooks), hooks.settings), { hooks: ours }), null, 2));
  }
  return pointAt(hooks, { file, home });
}

/** How the CLI is pointed at muster's files: the hooks' args and env with `{file}` and `{home}` filled. */
function pointAt(hooks: HooksSpec, values: { file: string; home: string }): { args: string[]; env: Record<string, string> } {
  return { args: fill(hooks.args, values), env: Object.fromEntries(Object.entries(hooks.env).map(([k, v]) => [k, fill([v], values)[0] as string])) };
}

/**
 * The user's own settings file where the variable that points the CLI at muster's file
 * already named one (their `OPENCODE_CONFIG`): merged under muster's settings, so that it
 * still counts. Unreadable or not a JSON object: nothing.
 */
function usersOwn(spec: AgentSpec, hooks: HooksSpec): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(hooks.env)) {
    if (!value.includes('{file}')) continue;
    const theirs = spec.env[name] ?? process.env[name];
    if (theirs) out = mergeSettings(out, readJson(theirs));
  }
  return out;
}

/** `{name}` in every string of a settings value replaced. */
function fillDeep(value: Record<string, unknown>, values: Record<string, string>): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
    if (Array.isArray(v)) return v.map(walk);
    if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as Record<string, unknown>;
}

function groupEvents(hooks: HooksSpec): Map<string, { match: string | null; state: string }[]> {
  const out = new Map<string, { match: string | null; state: string }[]>();
  for (const e of hooks.events) {
    const list = out.get(e.event) ?? [];
    list.push({ match: e.match, state: e.activity ?? 'none' });
    out.set(e.event, list);
  }
  return out;
}

/** A TOML basic string. */
function toml(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

function readJson(file: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `over` merged into `base`: maps key by key, lists joined (the user's hooks keep firing), the rest replaced. */
export function mergeSettings(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (isMap(b) && isMap(v)) out[k] = mergeSettings(b, v);
    else if (Array.isArray(b) && Array.isArray(v)) out[k] = [...b, ...v];
    else out[k] = v;
  }
  return out;
}

/** Links every entry of the user's folder but its settings into the agent's own (credentials, history, chats). */
function linkUserEntries(userDir: string, dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(userDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name === 'settings.json') continue;
    const link = path.join(dir, name);
    try {
      fs.lstatSync(link);
      continue;
    } catch {
      // not there yet
    }
    try {
      fs.symlinkSync(path.join(userDir, name), link);
    } catch {
      // a link that cannot be made costs that entry, not the launch
    }
  }
}
