/**
 * What `muster import` reads out of another tool's file (docs/commands.md#muster-import-file):
 * a session of windows and panes (tmuxinator, tmuxp) or a list of processes (Procfile),
 * each pane or process a command; and every part it cannot carry over, located at its line.
 * Rendered as a team file and a layout file.
 */
import { stringify } from 'yaml';
import type { FileProblem } from '../errors.js';
import { TMUX_LAYOUTS, toName as validName } from '../config/schema.js';

/** One pane (or process): an agent to be. */
export interface ImportedPane {
  /** the name it had (window, pane title or process), made valid later */
  name: string;
  /** the command line; null for a pane that only had a shell */
  run: string | null;
  cwd?: string;
  env?: Record<string, string>;
}

export interface ImportedWindow {
  name: string;
  /** a tmux layout name, or null */
  layout: string | null;
  panes: ImportedPane[];
}

export interface Imported {
  format: 'tmuxinator' | 'tmuxp' | 'procfile';
  /** the session's name, if the file gives one */
  name: string | null;
  cwd: string | null;
  env: Record<string, string>;
  /** windows (tmux formats) or one window per process (Procfile, `layout` false) */
  windows: ImportedWindow[];
  /** false when the source has no windows of its own (Procfile): no layout file is written */
  hasLayout: boolean;
  /** what could not be carried over, each at the line it came from */
  unmapped: FileProblem[];
}

/** The agent CLIs whose first word gives their preset (docs/presets.md). */
const PRESET_OF_COMMAND: Record<string, string> = { claude: 'claude', codex: 'codex', gemini: 'gemini', aider: 'aider' };
const SHELL_RUN = 'exec "${SHELL:-/bin/sh}"';

/** Unique agent names, in order: a window's single pane takes the window's name, more panes `<window>-<n>`. */
function agentNames(imported: Imported): string[][] {
  const taken = new Set<string>();
  const unique = (base: string): string => {
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 32 - String(i).length - 1)}-${i}`;
    taken.add(name);
    return name;
  };
  return imported.windows.map((w, wi) => {
    const windowName = validName(w.name, `window-${wi + 1}`);
    return w.panes.map((p, pi) => {
      const own = p.name !== w.name ? validName(p.name, '') : '';
      if (own !== '') return unique(own);
      return unique(w.panes.length === 1 ? windowName : `${windowName}-${pi + 1}`.slice(0, 32));
    });
  });
}

export interface ImportFiles {
  team: { path: string; text: string };
  layout: { path: string; text: string } | null;
  agents: string[];
}

/** The team file (and layout file) for an import. `schema` gives the `$schema` lines' targets. */
export function renderImport(imported: Imported, teamName: string, source: string, schema: { team: string; layout: string } | null): ImportFiles {
  const names = agentNames(imported);
  const agents: Record<string, Record<string, unknown>> = {};
  imported.windows.forEach((w, wi) =>
    w.panes.forEach((p, pi) => {
      const agent: Record<string, unknown> = { run: p.run ?? SHELL_RUN };
      const preset = p.run === null ? 'shell' : PRESET_OF_COMMAND[p.run.trim().split(/\s+/)[0] ?? ''];
      if (preset) agent.preset = preset;
      if (p.cwd) agent.cwd = p.cwd;
      if (p.env && Object.keys(p.env).length > 0) agent.env = p.env;
      agents[names[wi]?.[pi] ?? `agent-${wi}-${pi}`] = agent;
    }),
  );
  const team: Record<string, unknown> = { name: teamName };
  if (imported.hasLayout) team.layout = teamName;
  if (imported.cwd) team.cwd = imported.cwd;
  if (Object.keys(imported.env).length > 0) team.env = imported.env;
  team.agents = agents;
  const header = (kind: 'team' | 'layout') => [
    ...(schema ? [`# yaml-language-server: $schema=${schema[kind]}`] : []),
    `# Imported by muster import from ${source} (${imported.format}). Every key: docs/${kind === 'team' ? 'team-file' : 'layouts'}.md of muster.`,
  ];
  const yaml = (value: unknown) => stringify(value, { lineWidth: 0, flowCollectionPadding: false });
  const teamText = `${header('team').join('\n')}\n${yaml(team)}`;
  let layout: ImportFiles['layout'] = null;
  if (imported.hasLayout) {
    const used = new Set<string>();
    const windows = imported.windows.map((w, wi) => {
      let name = windowName(w.name, wi);
      if (used.has(name)) name = `${name}-${wi + 1}`;
      used.add(name);
      const win: Record<string, unknown> = { name };
      if (w.layout !== null && (TMUX_LAYOUTS as readonly string[]).includes(w.layout)) win.layout = w.layout;
      win.panes = names[wi] ?? [];
      return win;
    });
    layout = { path: `layouts/${teamName}.yaml`, text: `${header('layout').join('\n')}\n${yaml({ windows })}` };
  }
  return { team: { path: `teams/${teamName}.yaml`, text: teamText }, layout, agents: names.flat() };
}

/** A tmux window name muster accepts (no `:` or `.`), unique enough by its index. */
function windowName(name: string, index: number): string {
  const clean = name.replace(/[:.]/g, '-').trim();
  return clean === '' ? `window-${index + 1}` : clean;
}

/** Is a layout one muster can write (a tmux layout name, not a custom layout string)? */
export function knownLayout(layout: string): boolean {
  return (TMUX_LAYOUTS as readonly string[]).includes(layout);
}
