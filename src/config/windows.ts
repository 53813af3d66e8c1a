/**
 * A team's tmux windows: its layout's windows first, then a window of its own
 * for every agent the layout does not place. A pane entry is an agent name, a
 * for_each base name (all its expansions), or `*` (every agent not placed
 * elsewhere). Project layouts must name agents the team has; built-in
 * layouts skip the ones it lacks, so one built-in layout serves many teams.
 */
import type { FileProblem } from '../errors.js';
import type { LayoutFile } from './layout-file.js';
import type { WindowSpec } from './types.js';

/** What window placement needs to know of a team's agents. */
export interface PlacedTeam {
  name: string;
  /** agents in team order: name, and the name written in the file (for_each base) */
  agents: readonly { name: string; base: string }[];
  /** agent names left out for their problems: panes naming them are not reported */
  dropped: readonly string[];
}

const STAR = Symbol('every other agent');

/** Resolves the windows of a team; `layout` null means one window per agent. */
export function resolveWindows(team: PlacedTeam, layout: LayoutFile | null): { windows: WindowSpec[]; problems: FileProblem[] } {
  const problems: FileProblem[] = [];
  const placedIn = new Map<string, string>();
  const drafts: { name: string; layout: string | null; panes: (string | typeof STAR)[] }[] = [];
  let starAt: string | null = null;
  const windowNames = new Set<string>();

  (layout?.layout?.windows ?? []).forEach((w, wi) => {
    const src = layout?.src;
    if (!src) return;
    if (windowNames.has(w.name)) problems.push(src.problem(['windows', wi, 'name'], `window name ${JSON.stringify(w.name)} is used twice`));
    windowNames.add(w.name);
    const panes: (string | typeof STAR)[] = [];
    w.panes.forEach((pane, pi) => {
      const at = ['windows', wi, 'panes', pi];
      if (pane === '*') {
        if (starAt !== null) problems.push(src.problem(at, `"*" may appear once in a layout (already in window ${JSON.stringify(starAt)})`));
        else {
          starAt = w.name;
          panes.push(STAR);
        }
        return;
      }
      const names = team.agents.filter((a) => a.name === pane || (a.base === pane && a.base !== a.name)).map((a) => a.name);
      if (names.length === 0) {
        const dropped = team.dropped.some((d) => pane === d || pane.startsWith(`${d}-`));
        if (!layout.builtin && !dropped) {
          problems.push(src.problem(at, `agent ${JSON.stringify(pane)} is not in team ${JSON.stringify(team.name)}, which uses this layout`));
        }
        return;
      }
      for (const name of names) {
        const other = placedIn.get(name);
        if (other !== undefined) {
          problems.push(src.problem(at, `agent ${JSON.stringify(name)} is placed twice (also in window ${JSON.stringify(other)})`));
          continue;
        }
        placedIn.set(name, w.name);
        panes.push(name);
      }
    });
    drafts.push({ name: w.name, layout: w.layout ?? null, panes });
  });

  const rest = team.agents.map((a) => a.name).filter((n) => !placedIn.has(n));
  const windows: WindowSpec[] = [];
  for (const d of drafts) {
    const panes = d.panes.flatMap((p) => (p === STAR ? rest : [p]));
    if (panes.length > 0) windows.push({ name: d.name, layout: d.layout, panes });
  }
  if (starAt === null) for (const name of rest) windows.push({ name, layout: null, panes: [name] });
  return { windows, problems };
}
