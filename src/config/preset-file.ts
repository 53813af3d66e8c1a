/**
 * Preset files, `presets/<name>.yaml` (docs/presets.md): the project's own `presets/`
 * folder is searched first, then the presets built into the package. A preset may
 * `extends` another (a project's `presets/claude.yaml` that extends `claude` extends the
 * built-in one); an agent's `preset:` is a name, or a map that extends one inline. When
 * an agent names no preset, the first word of its `run` picks the preset whose
 * `commands` list it (`run: claude --model x` → claude), else `default`.
 */
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileProblem } from '../errors.js';
import type { ConfigIo } from './io.js';
import { check } from './issues.js';
import { compilePattern, presetSchema, type RawPreset } from './preset-schema.js';
import type { HooksSpec, PresetRule, PresetSpec, SourceRef } from './preset-types.js';
import { orList } from './suggest.js';
import { parseYamlSource, problemAtStart, type Path, type YamlSource } from './yaml-source.js';

/** The package's own `presets/` folder (two levels above this module, as source and compiled). */
export const BUILTIN_PRESETS_DIR = fileURLToPath(new URL('../../presets/', import.meta.url));

/** The preset of agents whose program no preset claims. */
export const DEFAULT_PRESET = 'default';

export interface PresetDirs {
  project: string;
  builtin: string;
}

/** One preset file found and checked; `raw` is null when it has problems. */
interface PresetFile {
  name: string;
  absFile: string;
  builtin: boolean;
  src: YamlSource;
  raw: RawPreset | null;
  problems: FileProblem[];
}

/** A preset as written somewhere: a file, or a map under an agent's `preset:`. */
interface PresetLayer {
  raw: RawPreset;
  src: YamlSource;
  path: Path;
  /** the file shown in `muster explain` */
  shown: string;
}

/** What a resolution gives: the preset, or the problems that stop it. */
export type Resolved = { preset: PresetSpec; problems: [] } | { preset: null; problems: FileProblem[] };

/** Where a reference to a preset is written (for "unknown preset" problems). */
export interface RefSite {
  src: YamlSource;
  path: Path;
}

const DEFAULTS = {
  quietMs: 5000,
  unreadyFactor: 1,
  live: { lines: 15, below: null, nth: 1, above: 0 },
  submit: { pauseMs: 200, bracketed: true, enterWhileBusy: 'queue' as const },
  readyTimeoutMs: 60_000,
};

/** Finds, checks and resolves presets; files are read once. */
export class PresetLibrary {
  private readonly files = new Map<string, Promise<PresetFile | null>>();
  private readonly resolved = new Map<string, Promise<Resolved>>();

  constructor(
    private readonly dirs: PresetDirs,
    private readonly io: ConfigIo,
    private readonly show: (abs: string) => string,
  ) {}

  /** Every preset name available, the project's and the built-in ones, sorted. */
  async names(): Promise<string[]> {
    const all = [...(await this.io.listDir(this.dirs.project)), ...(await this.io.listDir(this.dirs.builtin))];
    return [...new Set(all.filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)))].sort();
  }

  /** The preset `name`, resolved with what it extends; `site` is where it is named. */
  async byName(name: string, site: RefSite | null): Promise<Resolved> {
    if (!(await this.file(name, false))) return this.unknown(name, site);
    let r = this.resolved.get(name);
    if (!r) {
      r = this.resolveFile(name, false, site, []);
      this.resolved.set(name, r);
    }
    return r;
  }

  /** A map under an agent's `preset:`: it extends its `extends`, else `fallback`. */
  async inline(raw: RawPreset, src: YamlSource, path: Path, fallback: string): Promise<Resolved> {
    const baseName = raw.extends ?? fallback;
    const base = await this.byName(baseName, { src, path: raw.extends !== undefined ? [...path, 'extends'] : path });
    if (!base.preset) return base;
    const layer: PresetLayer = { raw, src, path, shown: src.file };
    return { preset: applyLayer(base.preset, layer, `${baseName}+`), problems: [] };
  }

  /** The preset for an agent that names none: the first that lists its program in `commands`. */
  async detect(run: string): Promise<string> {
    const program = programOf(run);
    if (program === null) return DEFAULT_PRESET;
    for (const name of await this.names()) {
      if ((await this.byName(name, null)).preset?.commands.includes(program)) return name;
    }
    return DEFAULT_PRESET;
  }

  private file(name: string, builtinOnly: boolean): Promise<PresetFile | null> {
    const key = `${builtinOnly ? 'b' : 'p'}:${name}`;
    let f = this.files.get(key);
    if (!f) {
      f = this.readFile(name, builtinOnly);
      this.files.set(key, f);
    }
    return f;
  }

  private async readFile(name: string, builtinOnly: boolean): Promise<PresetFile | null> {
    const places = builtinOnly ? [[this.dirs.builtin, true] as const] : ([[this.dirs.project, false], [this.dirs.builtin, true]] as const);
    for (const [dir, builtin] of places) {
      const absFile = join(dir, `${name}.yaml`);
      const read = await this.io.readText(absFile);
      if ('error' in read && read.error === 'file not found') continue;
      const src = parseYamlSource(this.show(absFile), 'error' in read ? '' : read.text);
      if ('error' in read) return { name, absFile, builtin, src, raw: null, problems: [problemAtStart(src.file, read.error)] };
      if (src.syntaxProblems.length > 0) return { name, absFile, builtin, src, raw: null, problems: src.syntaxProblems };
      const checked = check(presetSchema, src.value ?? {}, src, [], 'preset');
      return { name, absFile, builtin, src, raw: checked.data, problems: checked.problems };
    }
    return null;
  }

  private async unknown(name: string, site: RefSite | null): Promise<Resolved> {
    const message = `unknown preset ${JSON.stringify(name)}: use ${orList(await this.names())}, or add presets/${name}.yaml`;
    return { preset: null, problems: [site ? site.src.problem(site.path, message) : problemAtStart('presets', message)] };
  }

  private async resolveFile(name: string, builtinOnly: boolean, site: RefSite | null, chain: string[]): Promise<Resolved> {
    const file = await this.file(name, builtinOnly);
    if (!file) return this.unknown(name, site);
    if (file.raw === null) return { preset: null, problems: file.problems };
    const raw = file.raw;
    const layer: PresetLayer = { raw, src: file.src, path: [], shown: file.src.file };
    const key = `${file.builtin ? 'builtin' : 'project'}:${name}`;
    if (raw.extends === undefined) return { preset: applyLayer(emptyPreset(name), layer, name), problems: [] };
    if (chain.includes(key)) {
      return { preset: null, problems: [file.src.problem(['extends'], `presets extend each other in a loop: ${[...chain, key].map((k) => k.split(':')[1]).join(' → ')}`)] };
    }
    if (raw.extends === name && file.builtin) {
      return { preset: null, problems: [file.src.problem(['extends'], `preset ${JSON.stringify(name)} extends itself: name another preset`)] };
    }
    // A project's preset that extends its own name extends the built-in one.
    const parentBuiltinOnly = raw.extends === name;
    const parent = await this.resolveFile(raw.extends, parentBuiltinOnly, { src: file.src, path: ['extends'] }, [...chain, key]);
    if (!parent.preset) return parent;
    return { preset: applyLayer(parent.preset, layer, name), problems: [] };
  }
}

/** A preset with nothing set: what the first layer builds on. */
export function emptyPreset(name: string): PresetSpec {
  return {
    name,
    description: '',
    files: [],
    commands: [],
    quietMs: DEFAULTS.quietMs,
    unreadyFactor: DEFAULTS.unreadyFactor,
    live: { ...DEFAULTS.live },
    rules: [],
    input: { line: null, empty: [], pending: [], ignore: [] },
    submit: { ...DEFAULTS.submit },
    clearKeys: [],
    ready: { when: 'input', match: [], timeoutMs: DEFAULTS.readyTimeoutMs },
    session: { start: null, resume: null },
    hooks: null,
    mcp: null,
  };
}

function at(src: YamlSource, path: Path): SourceRef {
  const p = src.problem(path, '');
  return { file: p.file, line: p.line, col: p.col };
}

/** `layer` written over `base`: its keys replace, its rules come first. */
function applyLayer(base: PresetSpec, layer: PresetLayer, name: string): PresetSpec {
  const { raw, src, path } = layer;
  const rules: PresetRule[] = (raw.rules ?? []).map((r, i) => {
    const activity = r.waiting !== undefined ? 'waiting' : r.busy !== undefined ? 'busy' : 'idle';
    return {
      activity,
      reason: (r.waiting ?? r.busy ?? r.idle) as string,
      match: r.match.map((p) => compilePattern(p, r.ignore_case)),
      unless: (r.unless ?? []).map((p) => compilePattern(p, r.ignore_case)),
      at: at(src, [...path, 'rules', i]),
    };
  });
  const live = raw.live ?? {};
  const input = raw.input ?? {};
  const submit = raw.submit ?? {};
  return {
    name,
    description: raw.description ?? base.description,
    files: [layer.shown, ...base.files],
    commands: raw.commands ?? base.commands,
    quietMs: raw.quiet ?? base.quietMs,
    unreadyFactor: raw.unready ?? base.unreadyFactor,
    live: {
      lines: live.lines ?? base.live.lines,
      below: live.below !== undefined ? compilePattern(live.below) : base.live.below,
      nth: live.nth ?? base.live.nth,
      above: live.above ?? base.live.above,
    },
    rules: [...rules, ...base.rules],
    input: {
      line: input.line !== undefined ? compilePattern(input.line) : base.input.line,
      empty: input.empty !== undefined ? input.empty.map((p) => compilePattern(p)) : base.input.empty,
      pending: input.pending !== undefined ? input.pending.map((p) => compilePattern(p)) : base.input.pending,
      ignore: input.ignore ?? base.input.ignore,
    },
    submit: {
      pauseMs: submit.pause ?? base.submit.pauseMs,
      bracketed: submit.paste !== undefined ? submit.paste === 'bracketed' : base.submit.bracketed,
      enterWhileBusy: submit.enter_while_busy ?? base.submit.enterWhileBusy,
    },
    clearKeys: raw.keys?.clear ?? base.clearKeys,
    ready: {
      when: raw.ready?.when ?? base.ready.when,
      match: raw.ready?.match !== undefined ? raw.ready.match.map((p) => compilePattern(p)) : base.ready.match,
      timeoutMs: raw.ready?.timeout ?? base.ready.timeoutMs,
    },
    session: {
      start: raw.session?.start ?? base.session.start,
      resume: raw.session?.resume ?? base.session.resume,
    },
    hooks: raw.hooks === undefined ? base.hooks : raw.hooks === 'off' ? null : hooksOf(raw.hooks),
    mcp: raw.mcp !== undefined ? { args: raw.mcp.args ?? [], env: raw.mcp.env ?? {}, file: raw.mcp.file ?? null, at: at(src, [...path, 'mcp']) } : base.mcp,
  };
}

function hooksOf(raw: Exclude<NonNullable<RawPreset['hooks']>, 'off'>): HooksSpec {
  return {
    format: raw.format ?? 'settings',
    args: raw.args ?? [],
    env: raw.env ?? {},
    home: raw.home ?? null,
    settings: raw.settings ?? {},
    events: raw.events.map((e) => ({ event: e.on, match: e.match ?? null, activity: e.state === 'none' ? null : e.state })),
  };
}

const WRAPPERS = new Set(['exec', 'env', 'command', 'nohup', 'time', 'nice', 'stdbuf']);

/** The program a `run` line starts: its first word after `VAR=value`s and wrappers, without a folder. */
export function programOf(run: string): string | null {
  for (const word of run.trim().split(/\s+/)) {
    if (word === '' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(word) || WRAPPERS.has(word) || word.startsWith('-')) continue;
    const bare = word.replace(/^['"]|['"]$/g, '');
    return bare === '' ? null : basename(bare);
  }
  return null;
}
