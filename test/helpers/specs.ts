/** Builders of resolved config objects for unit tests of the core. */
import type { AgentSpec, CeilingSpec } from '../../src/config/types.js';
import type { CrewContext } from '../../src/core/crew.js';
import { emptyPreset } from '../../src/config/preset-file.js';

export function agent(id: string, over: Partial<AgentSpec> = {}): AgentSpec {
  const [team = 't', name = id] = id.includes('/') ? id.split('/') : ['t', id];
  return {
    id: id.includes('/') ? id : `${team}/${name}`,
    team,
    name,
    run: 'true',
    cwd: '/tmp',
    env: {},
    prompt: null,
    after: [],
    priority: 'normal',
    limits: { cpu: null, memory: null, pids: null, onMemory: 'restart', onCpu: 'throttle' },
    checkin: null,
    commit: null,
    restart: { policy: 'on-failure', max: 3, withinMs: 600_000, backoffMs: 1000, maxBackoffMs: 60_000 },
    logs: { maxBytes: 50 * 2 ** 20, keep: 3 },
    budget: null,
    optional: false,
    uses: [],
    timeoutMs: null,
    expectMs: null,
    retries: 0,
    resume: 'auto',
    preset: emptyPreset('default'),
    mcp: false,
    item: null,
    worktree: null,
    ...over,
  };
}

const NO_CEILING: CeilingSpec = { cpu: null, memory: null };

export function context(specs: AgentSpec[], now: number, over: Partial<CrewContext> = {}): CrewContext {
  const maxParallel = new Map<string, number | null>();
  for (const s of specs) maxParallel.set(s.team, null);
  return { now, specs, maxParallel, ceiling: NO_CEILING, machine: null, ...over };
}
