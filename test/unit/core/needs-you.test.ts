/**
 * Needs-you events (docs/needs-you.md): raised by the core once per occurrence, from one
 * step's before and after — tables of scripts in milliseconds.
 */
import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import type { Activity, CrewState } from '../../../src/core/agent-state.js';
import type { CrewEvent } from '../../../src/core/crew-events.js';
import { step } from '../../../src/core/crew.js';
import { newCrew } from '../../../src/core/crew-state.js';
import { needsYouNow, type NeedsYou } from '../../../src/core/needs-you.js';
import { agent, context } from '../../helpers/specs.js';

const S = 1000;

/** Every needs-you raised along a script, as `kind agent reason detail@time`. */
function raised(specs: AgentSpec[], script: [number, CrewEvent][]): { lines: string[]; all: NeedsYou[]; crew: CrewState } {
  let crew = newCrew(specs);
  const lines: string[] = [];
  const all: NeedsYou[] = [];
  for (const [now, event] of script) {
    const r = step(crew, event, context(specs, now));
    crew = r.state;
    for (const e of r.effects) {
      if (e.type !== 'needs-you') continue;
      all.push(e.needs);
      lines.push(`${e.needs.kind} ${e.needs.agent ?? '-'} ${e.needs.reason}${e.needs.detail ? ` "${e.needs.detail}"` : ''}@${now}`);
    }
  }
  return { lines, all, crew };
}

const start = (id = 't/a', at = 0): [number, CrewEvent][] => [
  [at, { type: 'tick' }],
  [at + 10, { type: 'launched', agent: id, attempt: 1, pane: '%1', pid: 100 }],
];
const screen = (at: number, activity: Activity, reason: string, line: string | null = null, id = 't/a'): [number, CrewEvent] => [
  at,
  { type: 'usage', agents: {}, activity: { [id]: { activity, reason, line, ready: activity === 'idle', known: activity !== 'busy' } }, intervalMs: 2 * S },
];
const exited = (at: number, code: number, attempt = 1, id = 't/a'): [number, CrewEvent] => [at, { type: 'exited', agent: id, attempt, code }];

describe('needs-you events', () => {
  const cases: { name: string; specs: AgentSpec[]; script: [number, CrewEvent][]; want: string[] }[] = [
    {
      name: 'a prompt on screen: once, with its reason and line',
      specs: [agent('a')],
      script: [...start(), screen(2 * S, 'busy', 'output'), screen(4 * S, 'waiting', 'permission', 'Allow this command?'), screen(6 * S, 'waiting', 'permission', 'Allow this command?')],
      want: ['waiting t/a permission "Allow this command?"@4000'],
    },
    {
      name: 'a second prompt after the first was answered: raised again',
      specs: [agent('a')],
      script: [...start(), screen(2 * S, 'waiting', 'question', 'Which file?'), screen(4 * S, 'busy', 'output'), screen(6 * S, 'waiting', 'permission', 'Run npm test?')],
      want: ['waiting t/a question "Which file?"@2000', 'waiting t/a permission "Run npm test?"@6000'],
    },
    {
      name: 'waiting on a dialog, then on a permission, without a turn between: not again',
      specs: [agent('a')],
      script: [...start(), screen(2 * S, 'waiting', 'dialog', 'Trust this folder?'), screen(4 * S, 'waiting', 'permission', 'Allow?')],
      want: ['waiting t/a dialog "Trust this folder?"@2000'],
    },
    {
      name: 'idle and busy never need you',
      specs: [agent('a')],
      script: [...start(), screen(2 * S, 'busy', 'output'), screen(4 * S, 'idle', 'prompt'), screen(6 * S, 'idle', 'draft')],
      want: [],
    },
    {
      name: 'a crash loop: the restarts are quiet, the circuit opening is raised once',
      specs: [agent('a', { restart: { policy: 'always', max: 1, withinMs: 60 * S, backoffMs: S, maxBackoffMs: S } })],
      script: [...start(), exited(1 * S, 1), [2 * S, { type: 'tick' }], [2 * S + 10, { type: 'launched', agent: 't/a', attempt: 2, pane: '%1', pid: 101 }], exited(3 * S, 1, 2), [9 * S, { type: 'tick' }]],
      want: ['failed t/a circuit "exited with code 1; more than 1 restarts within 1m: circuit open, failed until reset"@3000'],
    },
    {
      name: 'memory over its limit: ended and restarting, with the figure',
      specs: [agent('a', { limits: { cpu: null, memory: 100 * 1024 * 1024, pids: null, onMemory: 'restart', onCpu: 'throttle' } })],
      script: [...start(), [2 * S, { type: 'usage', agents: { 't/a': { cpu: 1, memory: 200 * 1024 * 1024 } } }], [4 * S, { type: 'usage', agents: { 't/a': { cpu: 1, memory: 200 * 1024 * 1024 } } }]],
      want: ['failed t/a memory "memory 200.0 MiB over its 100.0 MiB limit on 2 pulses; restarting in 1s"@4000'],
    },
    {
      name: 'a timeout fails the agent',
      specs: [agent('a', { timeoutMs: 5 * S })],
      script: [...start(), [6 * S, { type: 'tick' }]],
      want: ['failed t/a timeout "timed out after 5s; stopped"@6000'],
    },
    {
      name: 'the whole crew done: once, for the crew',
      specs: [agent('a'), agent('b')],
      script: [...start('t/a'), [20, { type: 'launched', agent: 't/b', attempt: 1, pane: '%2', pid: 200 }], exited(S, 0), [2 * S, { type: 'done', agent: 't/b', message: 'shipped' }], exited(3 * S, 0, 1, 't/b'), [4 * S, { type: 'tick' }]],
      want: ['done - done@2000'],
    },
    {
      name: 'the user stopping everyone is not the crew being done',
      specs: [agent('a')],
      script: [...start(), [S, { type: 'stop', agents: ['t/a'] }], [2 * S, { type: 'killed', agent: 't/a', attempt: 1, code: null, survivors: [] }]],
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(raised(c.specs, c.script).lines).toEqual(c.want);
    });
  }

  it('a failed agent still counts as needing you; a stopped one does not', () => {
    const failed = raised([agent('a', { timeoutMs: S })], [...start(), [2 * S, { type: 'tick' }]]).crew.agents['t/a'];
    expect(failed && needsYouNow(failed)).toEqual({ kind: 'failed', reason: 'timeout' });
    const waiting = raised([agent('a')], [...start(), screen(2 * S, 'waiting', 'permission', 'Allow?')]).crew.agents['t/a'];
    expect(waiting && needsYouNow(waiting)).toEqual({ kind: 'waiting', reason: 'permission' });
    const stopped = raised([agent('a')], [...start(), [S, { type: 'stop', agents: ['t/a'] }]]).crew.agents['t/a'];
    expect(stopped && needsYouNow(stopped)).toBeNull();
  });

  it('fifty agents entering waiting at once: one event each', () => {
    const specs = Array.from({ length: 50 }, (_, i) => agent(`a${i}`));
    const script: [number, CrewEvent][] = [[0, { type: 'tick' }]];
    specs.forEach((s, i) => script.push([10, { type: 'launched', agent: s.id, attempt: 1, pane: `%${i}`, pid: 100 + i }]));
    const all = Object.fromEntries(specs.map((s) => [s.id, { activity: 'waiting' as const, reason: 'permission', line: 'Allow?', ready: false, known: true }]));
    script.push([2 * S, { type: 'usage', agents: {}, activity: all, intervalMs: 2 * S }], [4 * S, { type: 'usage', agents: {}, activity: all, intervalMs: 2 * S }]);
    const r = raised(specs, script);
    expect(r.all).toHaveLength(50);
    expect(new Set(r.all.map((n) => n.agent)).size).toBe(50);
  });
});
