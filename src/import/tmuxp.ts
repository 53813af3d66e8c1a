/**
 * tmuxp session files (YAML or JSON): `session_name`, `start_directory`, `environment` and
 * `windows`, each with `window_name`, `layout`, `start_directory`, `environment` and
 * `panes` (a command, a list of commands, a map with `shell_command`, `start_directory`,
 * `environment`, or blank). `before_script`, `shell_command_before`, options, focus, sleeps
 * and the like are listed, not carried over.
 */
import type { FileProblem } from '../errors.js';
import type { Path, YamlSource } from '../config/yaml-source.js';
import { knownLayout, type Imported, type ImportedPane, type ImportedWindow } from './imported.js';
import { commandsOf, expandHome, isMap, leftOut, unknownKey } from './source-helpers.js';

const BEFORE = "commands typed into every pane before its own: prepend them to the agents' run lines that need them";
const SESSION_LEFT_OUT: Record<string, string> = {
  before_script: 'a script run before the session starts: run it before `muster up`, or make it an agent',
  shell_command_before: BEFORE,
  global_options: 'tmux options: muster runs its own tmux server',
  options: 'tmux options: muster runs its own tmux server',
  suppress_history: 'muster runs commands with /bin/sh -c, never typed into a shell history',
  plugins: 'tmuxp plugins have no counterpart in muster',
  config: 'a tmux config file: muster runs its own tmux server',
  socket_name: 'muster names its tmux server after the project',
};
const WINDOW_LEFT_OUT: Record<string, string> = {
  shell_command_before: BEFORE,
  options: 'tmux window options: muster sets its own',
  options_after: 'tmux window options: muster sets its own',
  focus: 'muster opens its TUI; `muster attach AGENT` goes to a pane',
  window_shell: "the window's shell: muster runs each agent with /bin/sh -c",
  window_index: 'muster orders windows as the layout lists them',
  suppress_history: 'muster runs commands with /bin/sh -c, never typed into a shell history',
};
const PANE_LEFT_OUT: Record<string, string> = {
  focus: 'muster opens its TUI; `muster attach AGENT` goes to a pane',
  sleep_before: 'muster starts agents in dependency order (`after`), not after a sleep',
  sleep_after: 'muster starts agents in dependency order (`after`), not after a sleep',
  enter: 'muster runs the command; tmuxp leaves it typed, not submitted',
  suppress_history: 'muster runs commands with /bin/sh -c, never typed into a shell history',
  shell: "the pane's shell: muster runs each agent with /bin/sh -c",
};
/** tmuxp's words for a blank pane. */
const BLANK = ['pane', 'blank'];

function stringMap(value: unknown): Record<string, string> {
  if (!isMap(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function listLeftOut(src: YamlSource, at: Path, value: Record<string, unknown>, leftOutKeys: Record<string, string>, known: string[], what: string, unmapped: FileProblem[]): void {
  for (const key of Object.keys(value)) {
    if (key in leftOutKeys) {
      // false is the default of the switches (focus, suppress_history), except enter: false
      if (value[key] !== null && (value[key] !== false || key === 'enter')) unmapped.push(leftOut(src, [...at, key], key, value[key], leftOutKeys[key] as string));
    } else if (!known.includes(key)) unmapped.push(unknownKey(src, [...at, key], what));
  }
}

/** Reads a tmuxp file; `fatal` problems stop the import. */
export function readTmuxp(src: YamlSource): { imported: Imported | null; fatal: FileProblem[] } {
  const value = src.value;
  if (!isMap(value)) return { imported: null, fatal: [src.problem([], 'a tmuxp file is a map with session_name and windows')] };
  const unmapped: FileProblem[] = [];
  const fatal: FileProblem[] = [];
  listLeftOut(src, [], value, SESSION_LEFT_OUT, ['session_name', 'start_directory', 'environment', 'windows'], 'tmuxp session', unmapped);
  if (!Array.isArray(value.windows) || value.windows.length === 0) {
    fatal.push(src.problem(value.windows === undefined ? [] : ['windows'], 'no windows: a tmuxp file lists its windows under "windows"'));
    return { imported: null, fatal };
  }
  const windows: ImportedWindow[] = [];
  value.windows.forEach((w, i) => {
    const at: Path = ['windows', i];
    if (!isMap(w)) {
      fatal.push(src.problem(at, 'a window is a map with window_name and panes'));
      return;
    }
    listLeftOut(src, at, w, WINDOW_LEFT_OUT, ['window_name', 'layout', 'start_directory', 'environment', 'panes'], 'tmuxp window', unmapped);
    const name = typeof w.window_name === 'string' ? w.window_name : `window-${i + 1}`;
    const layout = typeof w.layout === 'string' ? w.layout : null;
    if (layout !== null && !knownLayout(layout)) unmapped.push(leftOut(src, [...at, 'layout'], 'layout', layout, 'a custom tmux layout string: muster takes even-horizontal, even-vertical, main-horizontal, main-vertical or tiled'));
    const windowCwd = typeof w.start_directory === 'string' ? expandHome(w.start_directory) : undefined;
    const windowEnv = stringMap(w.environment);
    const panes: ImportedPane[] = [];
    const list = w.panes === undefined || w.panes === null ? [null] : w.panes;
    if (!Array.isArray(list)) {
      fatal.push(src.problem([...at, 'panes'], 'panes is a list'));
      return;
    }
    list.forEach((pane, pi) => {
      const pat: Path = [...at, 'panes', pi];
      let run: string | null | 'bad';
      let cwd = windowCwd;
      let env = windowEnv;
      if (isMap(pane)) {
        listLeftOut(src, pat, pane, PANE_LEFT_OUT, ['shell_command', 'start_directory', 'environment'], 'tmuxp pane', unmapped);
        run = commandsOf(pane.shell_command);
        if (typeof pane.start_directory === 'string') cwd = expandHome(pane.start_directory);
        env = { ...windowEnv, ...stringMap(pane.environment) };
      } else {
        run = typeof pane === 'string' && BLANK.includes(pane.trim()) ? null : commandsOf(pane);
      }
      if (run === 'bad') {
        fatal.push(src.problem(pat, 'a pane is a command, a list of commands, a map with shell_command, or blank'));
        return;
      }
      panes.push({ name, run, ...(cwd ? { cwd } : {}), ...(Object.keys(env).length > 0 ? { env } : {}) });
    });
    windows.push({ name, layout: layout !== null && knownLayout(layout) ? layout : null, panes });
  });
  return {
    imported:
      fatal.length > 0
        ? null
        : {
            format: 'tmuxp',
            name: typeof value.session_name === 'string' ? value.session_name : null,
            cwd: typeof value.start_directory === 'string' ? expandHome(value.start_directory) : null,
            env: stringMap(value.environment),
            windows,
            hasLayout: true,
            unmapped,
          },
    fatal,
  };
}
