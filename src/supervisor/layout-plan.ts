/** A team's tmux windows and panes, from its resolved layout. Pure. */
import type { TeamSpec } from '../config/types.js';
import type { TeamLayoutPlan } from './ports.js';

export function layoutPlan(team: TeamSpec): TeamLayoutPlan {
  return {
    name: team.name,
    windows: team.windows.map((w) => ({
      name: w.name,
      layout: w.layout,
      panes: w.panes.map((name) => ({ agentId: `${team.name}/${name}`, title: name })),
    })),
  };
}
