/** The agent CLI's conversation and its hooks in the pure core (core/sessions.ts, crew.ts): table tests in ms. */
import { describe, expect, it } from 'vitest';
import { emptyPreset } from '../../../src/config/preset-file.js';
import type { AgentSpec } from '../../../src/config/types.js';
import type { CrewState } from '../../../src/core/agent-state.js';
import type { CrewEffect, CrewEvent } from '../../../src/core/crew-events.js';
import { CREW_FORMAT, fromLedger, newCrew } from '../../../src/core/crew-state.js';
import { step } from '../../../src/core/crew.js';
import { effectiveActivity, RESUME_PROOF_MS } from '../../../src/core/sessions.js';
import { agent, context } from '../../helpers/specs.js';

const preset = { ...emptyPreset('cli'), session: { start: ['--session-id', '{id}'], resume: ['--resume', '{id}'] } };
const spec = (over: Partial<AgentSpec> = {}) => agent('a', { prompt: 'go', preset, restart: { policy: 'on-failure', max: 5, withinMs: 600_000, backoffMs: 100, maxBackoffMs: 100 }, ...over });

function run(specs: AgentSpec[], script: [number, CrewEvent][], from?: CrewState) {
  let crew = from ?? newCrew(specs);
  const launches: { attempt: number; resume: string | null }[] = [];
  const notices: string[] = [];
  const typed: string[] = [];
  for (const [now, event] of script) {
    const r = step(crew, event, context(specs, now));
    crew = r.state;
    for (const e of r.effects as CrewEffect[]) {
      if (e.type === 'launch') launches.push({ attempt: e.attempt, resume: e.resume });
      if (e.type === 'notify') notices.push(`${e.kind}: ${e.message}`);
      if (e.type === 'type') typed.push(e.text);
    }
  }
  return { crew, rt: crew.agents['t/a']!, launches, notices, typed };
}

const launched = (attempt: number, at = 0): [number, CrewEvent] => [at, { type: 'launched', agent: 't/a', attempt, pane: '%1', pid: 100 + attempt }];
const session = (attempt: number, id: string, at = 0): [number, CrewEvent] => [at, { type: 'session', agent: 't/a', attempt, id }];
const hook = (attempt: number, activity: 'busy' | 'idle' | 'waiting' | null, at: number, s: string | null = null): [number, CrewEvent] => [at, { type: 'hook', agent: 't/a', attempt, activity, session: s }];
const screen = (a: 'busy' | 'idle' | 'waiting', at: number): [number, CrewEvent] => [at, { type: 'usage', agents: {}, activity: { 't/a': { activity: a, reason: a === 'waiting' ? 'permission' : 'prompt', line: null, ready: a === 'idle', known: true } }, intervalMs: 1000 }];
const exited = (attempt: number, code: number | null, at: number): [number, CrewEvent] => [at, { type: 'exited', agent: 't/a', attempt, code }];

/** Started, its session known, its first turn done by the hooks. */
const started: [number, CrewEvent][] = [[0, { type: 'tick' }], session(1, 'S1', 1), launched(1, 1), hook(1, 'idle', 100), hook(1, 'busy', 200), hook(1, 'idle', 300)];

describe('the session across restarts', () => {
  it('a crash restarts into the same session and types no first prompt', () => {
    const r = run([spec()], [...started, exited(1, 137, 5000), [5100, { type: 'tick' }], launched(2, 5100), hook(2, 'idle', 5200)]);
    expect(r.launches).toEqual([{ attempt: 1, resume: null }, { attempt: 2, resume: 'S1' }]);
    expect(r.rt).toMatchObject({ session: 'S1', resumed: 'S1', attempt: 2 });
    expect(r.typed).toEqual(['go']); // the first attempt's prompt only
    expect(r.notices.some((n) => n.startsWith('resume: restarting into its conversation (session S1)'))).toBe(true);
  });

  it('a memory kill, a missed check-in escalation and a lost pane resume too', () => {
    const memory = run([spec()], [...started, [5000, { type: 'exited', agent: 't/a', attempt: 1, code: null, cause: 'memory' }], [5100, { type: 'tick' }]]);
    expect(memory.launches.at(-1)).toEqual({ attempt: 2, resume: 'S1' });
    const lost = run([spec()], [...started, [5000, { type: 'vanished', agent: 't/a', attempt: 1 }], [5100, { type: 'tick' }]]);
    expect(lost.launches.at(-1)).toEqual({ attempt: 2, resume: 'S1' });
    const checkin = spec({ checkin: { everyMs: 1000, graceMs: 0, onMiss: 'restart', nudge: 'check in' } as AgentSpec['checkin'] });
    const missed = run([checkin], [...started, [3000, { type: 'tick' }], [3001, { type: 'killed', agent: 't/a', attempt: 1, code: null, survivors: [] }], [3200, { type: 'tick' }]]);
    expect(missed.launches.at(-1)).toEqual({ attempt: 2, resume: 'S1' });
  });

  it('a reset starts a new conversation and types the prompt; restart --resume keeps it', () => {
    const reset = run([spec()], [...started, [1000, { type: 'reset', agents: ['t/a'] }], [1001, { type: 'killed', agent: 't/a', attempt: 1, code: null, survivors: [] }], [1002, { type: 'tick' }], launched(2, 1003), screen('idle', 2000)]);
    expect(reset.launches.at(-1)).toEqual({ attempt: 2, resume: null });
    expect(reset.rt.session).toBeNull();
    expect(reset.typed).toEqual(['go', 'go']);
    const keep = run([spec()], [...started, [1000, { type: 'reset', agents: ['t/a'], keepSession: true }], [1001, { type: 'killed', agent: 't/a', attempt: 1, code: null, survivors: [] }], [1002, { type: 'tick' }], launched(2, 1003)]);
    expect(keep.launches.at(-1)).toEqual({ attempt: 2, resume: 'S1' });
    expect(keep.typed).toEqual(['go']);
  });

  it('resume: off, or a preset that cannot resume, starts every time afresh', () => {
    const off = run([spec({ resume: 'off' })], [...started, exited(1, 1, 5000), [5100, { type: 'tick' }]]);
    expect(off.launches.at(-1)).toEqual({ attempt: 2, resume: null });
    const none = run([spec({ preset: emptyPreset('x') })], [...started, exited(1, 1, 5000), [5100, { type: 'tick' }]]);
    expect(none.launches.at(-1)).toEqual({ attempt: 2, resume: null });
  });

  it('a resumed CLI that fails before showing anything refused the session: a new one at once, an event says why, the prompt typed', () => {
    const r = run([spec()], [...started, exited(1, 137, 5000), [5100, { type: 'tick' }], launched(2, 5100), exited(2, 1, 6000), [6000, { type: 'tick' }], launched(3, 6001), screen('idle', 9000)]);
    expect(r.launches).toEqual([{ attempt: 1, resume: null }, { attempt: 2, resume: 'S1' }, { attempt: 3, resume: null }]);
    expect(r.notices.some((n) => n.startsWith('resume-failed: could not resume session S1 (exited with code 1'))).toBe(true);
    expect(r.rt.restarts).toBe(1); // the refusal is no restart of its own
    expect(r.typed).toEqual(['go', 'go']);
    // a quiet screen no rule knows (idle for a preset with `quiet: 0s`: opencode printing its error) proves nothing
    const quiet: [number, CrewEvent] = [5500, { type: 'usage', agents: {}, activity: { 't/a': { activity: 'idle', reason: 'quiet', line: null, ready: false, known: false } }, intervalMs: 1000 }];
    const unknown = run([spec()], [...started, exited(1, 137, 5000), [5100, { type: 'tick' }], launched(2, 5100), quiet, exited(2, 1, 6000), [6000, { type: 'tick' }]]);
    expect(unknown.launches.at(-1)).toEqual({ attempt: 3, resume: null });
  });

  it('a resumed CLI that showed its screen, or lived long, and then failed is an ordinary crash (resumed again)', () => {
    const shown = run([spec()], [...started, exited(1, 137, 5000), [5100, { type: 'tick' }], launched(2, 5100), screen('idle', 6000), exited(2, 1, 7000), [7200, { type: 'tick' }]]);
    expect(shown.launches.at(-1)).toEqual({ attempt: 3, resume: 'S1' });
    const long = run([spec()], [...started, exited(1, 137, 5000), [5100, { type: 'tick' }], launched(2, 5100), exited(2, 1, 5100 + RESUME_PROOF_MS), [5300 + RESUME_PROOF_MS, { type: 'tick' }]]);
    expect(long.launches.at(-1)).toEqual({ attempt: 3, resume: 'S1' });
  });
});

describe('hooks and the screen', () => {
  it('a hook sets the session id; reports of another attempt are ignored', () => {
    const r = run([spec({ preset: { ...preset, session: { start: null, resume: ['resume', '{id}'] } } })], [[0, { type: 'tick' }], launched(1, 1), hook(1, null, 50, 'H1'), hook(7, 'busy', 60, 'OLD')]);
    expect(r.rt.session).toBe('H1');
    expect(r.rt.activity).toBeNull();
  });

  it('the hooks are the authority; the screen decides before any hook spoke, and when it shows idle after the last hook', () => {
    // no hook yet: the screen's idle lets the first prompt be typed (which makes it busy at once)
    const r = run([spec()], [[0, { type: 'tick' }], launched(1, 1), screen('idle', 1000)]);
    expect(r.typed).toEqual(['go']);
    expect(r.rt).toMatchObject({ activity: 'busy', activityReason: 'typed', screenActivity: 'idle' });
    const table: [string, { hookActivity: 'busy' | 'idle' | 'waiting' | null; hookAt: number | null; screenActivity: 'busy' | 'idle' | 'waiting' | null; screenSince: number | null }, string | null][] = [
      ['no hook yet', { hookActivity: null, hookAt: null, screenActivity: 'busy', screenSince: 10 }, 'busy'],
      ['hook busy, screen idle since before', { hookActivity: 'busy', hookAt: 100, screenActivity: 'idle', screenSince: 50 }, 'busy'],
      ['hook waiting, screen busy since after', { hookActivity: 'waiting', hookAt: 100, screenActivity: 'busy', screenSince: 200 }, 'waiting'],
      ['hook busy, screen idle since after (an interrupted turn)', { hookActivity: 'busy', hookAt: 100, screenActivity: 'idle', screenSince: 200 }, 'idle'],
      ['hook idle, screen waiting (a dialog the hooks do not tell)', { hookActivity: 'idle', hookAt: 100, screenActivity: 'waiting', screenSince: 200 }, 'idle'],
      ['a hook that only told the session', { hookActivity: null, hookAt: 100, screenActivity: 'waiting', screenSince: 200 }, 'waiting'],
    ];
    for (const [what, rt, want] of table) expect(effectiveActivity(rt), what).toBe(want);
  });

  it("an idle screen after the hook's waiting spends it: a repaint read as busy does not bring back the answered prompt", () => {
    // Codex: PermissionRequest says waiting; the user declines with Esc (no hook); the window
    // is resized when someone attaches, and the repaint reads as busy for the quiet time
    const first = run([spec()], started);
    const typed: [number, CrewEvent] = [400, { type: 'typed', agent: 't/a', id: first.rt.typing!, outcome: { result: 'submitted' } }];
    const r = run([spec()], [typed, hook(1, 'waiting', 1000), screen('waiting', 1500), screen('idle', 3000)], first.crew);
    expect(r.rt).toMatchObject({ activity: 'idle', hookActivity: null });
    const repaint = run([spec()], [screen('busy', 4000)], r.crew);
    expect(repaint.rt.activity).toBe('busy');
    const again = run([spec()], [screen('idle', 7000), hook(1, 'waiting', 8000)], repaint.crew);
    expect(again.rt.activity).toBe('waiting'); // the next prompt's hook counts again
    // a screen idle from before the hook does not spend it
    const before = run([spec()], [typed, screen('idle', 900), hook(1, 'waiting', 1000), screen('idle', 1500)], first.crew);
    expect(before.rt).toMatchObject({ activity: 'waiting', hookActivity: 'waiting' });
  });

  it("typing takes the hooks' last word away: an idle from before the text does not count after it", () => {
    const first = run([spec()], [[0, { type: 'tick' }], launched(1, 1), hook(1, 'idle', 50)]);
    const item = first.rt.typing!;
    expect(item).not.toBeNull();
    expect(first.rt.hookActivity).toBeNull();
    // the CLI's prompt-submit hook speaks before muster has confirmed the typing: it counts
    const r = run([spec()], [hook(1, 'busy', 55), [60, { type: 'typed', agent: 't/a', id: item, outcome: { result: 'submitted' } }], screen('busy', 1000)], first.crew);
    expect(r.rt).toMatchObject({ activity: 'busy', hookActivity: 'busy' });
    const later = run([spec()], [hook(1, 'idle', 2000)], r.crew);
    expect(later.rt.activity).toBe('idle');
  });

  it('a hook reporting idle lets the outbox type at once', () => {
    const r = run([spec()], [[0, { type: 'tick' }], launched(1, 1), hook(1, 'idle', 50)]);
    expect(r.typed).toEqual(['go']);
  });
});

describe('the ledger', () => {
  it('keeps the session (format 3) and upgrades format 2', () => {
    const r = run([spec()], started);
    const saved = JSON.parse(JSON.stringify(r.crew)) as unknown;
    const back = fromLedger([spec()], CREW_FORMAT, saved);
    expect(back.ok && back.crew.agents['t/a']?.session).toBe('S1');
    const v2 = JSON.parse(JSON.stringify(r.crew)) as { agents: Record<string, Record<string, unknown>> };
    for (const k of ['session', 'resumeNext', 'resumed', 'hookActivity', 'hookAt', 'screenActivity', 'screenSince']) delete v2.agents['t/a']![k];
    const up = fromLedger([spec()], 2, v2);
    expect(up.ok && up.crew.agents['t/a']).toMatchObject({ session: null, resumeNext: false, hookAt: null });
    const bad = fromLedger([spec()], CREW_FORMAT, { ...r.crew, agents: { 't/a': { ...r.rt, session: 42 } } });
    expect(bad.ok).toBe(false);
  });
});
