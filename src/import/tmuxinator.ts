/**
 * tmuxinator project files (`~/.tmuxinator/<name>.yml`, `.tmuxinator.yml`): `name`, `root`
 * and `windows`, each window a command, a list of commands, or a map with `layout`,
 * `root` and `panes` (each pane a command, a list of commands, a titled map, or empty).
 * Hooks, `pre_window`, tmux options and the like are listed, not carried over.
 */
import type { FileProblem } from '../errors.js';
import type { Path, YamlSource } from '../config/yaml-source.js';
import { knownLayout, type Imported, type ImportedPane, type ImportedWindow } from './imported.js';
import { commandsOf, expandHome, isMap, leftOut, unknownKey, type Commands } from './source-helpers.js';

const HOOKS = ['on_project_start', 'on_project_first_start', 'on_project_restart', 'on_project_exit', 'on_project_stop', 'pre', 'post'];
const TOP_LEFT_OUT: Record<string, string> = {
  pre_window: 'commands typed into every pane before its own: prepend them to the agents\' run lines that need them',
  tmux_options: 'tmux options: muster runs its own tmux server',
  tmux_command: 'another tmux command: muster runs tmux itself',
  socket_name: 'muster names its tmux server after the project',
  startup_window: 'muster opens its TUI; `muster attach AGENT` goes to a pane',
  startup_pane: 'muster opens its TUI; `muster attach AGENT` goes to a pane',
  attach: 'muster up opens the TUI; `muster up --headless` runs without one',
  enable_pane_titles: 'pane titles: muster shows agent names in its TUI',
  pane_title_position: 'pane titles: muster shows agent names in its TUI',
  pane_title_format: 'pane titles: muster shows agent names in its TUI',
  rvm: 'rvm: put the version switch into the agents\' run lines',
  cli_args: 'tmux arguments: muster runs its own tmux server',
};
const KNOWN_TOP = ['name', 'project_name', 'root', 'project_root', 'windows', 'tabs', ...HOOKS, ...Object.keys(TOP_LEFT_OUT)];

/** Reads a tmuxinator file; `fatal` problems stop the import. */
export function readTmuxinator(src: YamlSource): { imported: Imported | null; fatal: FileProblem[] } {
  const value = src.value;
  if (!isMap(value)) return { imported: null, fatal: [src.problem([], 'a tmuxinator file is a map with name, root and windows')] };
  const unmapped: FileProblem[] = [];
  const fatal: FileProblem[] = [];
  for (const key of Object.keys(value)) {
    if (HOOKS.includes(key) && value[key] !== null) unmapped.push(leftOut(src, [key], key, value[key], 'a hook muster does not run: run it before `muster up`, or make it an agent'));
    else if (key in TOP_LEFT_OUT && value[key] !== null) unmapped.push(leftOut(src, [key], key, value[key], TOP_LEFT_OUT[key] as string));
    else if (!KNOWN_TOP.includes(key)) unmapped.push(unknownKey(src, [key], 'tmuxinator'));
  }
  const windowsKey = value.windows !== undefined ? 'windows' : 'tabs';
  const windowsValue = value[windowsKey];
  if (!Array.isArray(windowsValue) || windowsValue.length === 0) {
    fatal.push(src.problem(windowsValue === undefined ? [] : [windowsKey], 'no windows: a tmuxinator file lists its windows under "windows", e.g. "- editor: vim"'));
    return { imported: null, fatal };
  }
  const windows: ImportedWindow[] = [];
  windowsValue.forEach((w, i) => {
    const at: Path = [windowsKey, i];
    if (!isMap(w) || Object.keys(w).length !== 1) {
      fatal.push(src.problem(at, 'a window is one "name: command" or "name: { panes: […] }" entry'));
      return;
    }
    const [name, body] = Object.entries(w)[0] as [string, unknown];
    const window = readWindow(src, [...at, name], name, body, unmapped, fatal);
    if (window) windows.push(window);
  });
  const name = typeof value.name === 'string' ? value.name : typeof value.project_name === 'string' ? value.project_name : null;
  const root = typeof value.root === 'string' ? value.root : typeof value.project_root === 'string' ? value.project_root : null;
  return {
    imported: fatal.length > 0 ? null : { format: 'tmuxinator', name, cwd: root === null ? null : expandHome(root), env: {}, windows, hasLayout: true, unmapped },
    fatal,
  };
}

function readWindow(src: YamlSource, at: Path, name: string, body: unknown, unmapped: FileProblem[], fatal: FileProblem[]): ImportedWindow | null {
  if (!isMap(body)) {
    const run = paneRun(src, at, body, fatal);
    return run === undefined ? null : { name, layout: null, panes: [{ name, run }] };
  }
  for (const key of Object.keys(body)) {
    if (key === 'pre' && body.pre !== null) unmapped.push(leftOut(src, [...at, key], 'pre', body.pre, "commands typed into the window's panes first: prepend them to the agents' run lines"));
    else if (key === 'synchronize') unmapped.push(leftOut(src, [...at, key], 'synchronize', body.synchronize, 'muster types into one agent at a time (`muster send`)'));
    else if (!['layout', 'root', 'panes', 'pre'].includes(key)) unmapped.push(unknownKey(src, [...at, key], 'tmuxinator window'));
  }
  const layout = typeof body.layout === 'string' ? body.layout : null;
  if (layout !== null && !knownLayout(layout)) unmapped.push(leftOut(src, [...at, 'layout'], 'layout', layout, 'a custom tmux layout string: muster takes even-horizontal, even-vertical, main-horizontal, main-vertical or tiled'));
  const cwd = typeof body.root === 'string' ? expandHome(body.root) : undefined;
  const panesValue = body.panes;
  const panes: ImportedPane[] = [];
  if (panesValue === undefined || panesValue === null) {
    panes.push({ name, run: null, ...(cwd ? { cwd } : {}) });
  } else if (!Array.isArray(panesValue)) {
    fatal.push(src.problem([...at, 'panes'], 'panes is a list, e.g. [vim, guard]'));
    return null;
  } else {
    panesValue.forEach((pane, i) => {
      let paneName = name;
      let body: unknown = pane;
      if (isMap(pane) && Object.keys(pane).length === 1) [paneName, body] = Object.entries(pane)[0] as [string, unknown];
      const run = paneRun(src, [...at, 'panes', i], body, fatal);
      if (run !== undefined) panes.push({ name: paneName, run, ...(cwd ? { cwd } : {}) });
    });
  }
  return { name, layout: layout !== null && knownLayout(layout) ? layout : null, panes };
}

/** A pane's command: null for an empty pane; undefined (and a fatal problem) when it is no command at all. */
function paneRun(src: YamlSource, at: Path, body: unknown, fatal: FileProblem[]): string | null | undefined {
  const commands: Commands = commandsOf(body);
  if (commands === 'bad') {
    fatal.push(src.problem(at, 'a pane is a command, a list of commands, or empty'));
    return undefined;
  }
  return commands;
}
