import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../../src/config/types.js';
import type { Activity, ActivitySeen, CrewState } from '../../../src/core/agent-state.js';
import type { CrewEffect, CrewEvent } from '../../../src/core/crew-events.js';
import { step } from '../../../src/core/crew.js';
import { newCrew } from '../../../src/core/crew-state.js';
import { agent, context } from '../../helpers/specs.js';

const S = 1000;
const M = 60 * S;

function play(specs: AgentSpec[], script: [number, CrewEvent][]) {
  let crew: CrewState = newCrew(specs);
  const effects: (CrewEffect & { at: number })[] = [];
  for (const [now, e] of script) {
    const r = step(crew, e, context(specs, now));
    crew = r.state;
    for (const x of r.effects) effects.push({ ...x, at: now });
  }
  return {
    crew,
    typed: effects.filter((e) => e.type === 'type').map((e) => ({ at: e.at, text: (e as { text: string }).text })),
    kinds: effects.filter((e) => e.type === 'notify').map((e) => `${(e as { kind: string }).kind}@${e.at}`),
    effects,
  };
}

const launch = (id = 't/a'): [number, CrewEvent][] => [
  [0, { type: 'tick' }],
  [0, { type: 'launched', agent: id, attempt: 1, pane: '%1', pid: 10 }],
];
/** What a screen showed, with the reason classify gives it by default; idle shows the input line (ready) unless told. */
const as = (activity: Activity, reason = activity === 'busy' ? 'output' : activity === 'idle' ? 'prompt' : 'permission', line: string | null = null, ready = activity === 'idle'): ActivitySeen => ({
  activity,
  reason,
  line,
  ready,
  known: activity !== 'busy' && reason !== 'quiet',
});
const seen = (at: number, activity: Activity, id = 't/a', reason?: string): [number, CrewEvent] => [
  at,
  { type: 'usage', agents: {}, activity: { [id]: as(activity, reason) }, intervalMs: 2 * S },
];
const OK = { result: 'submitted' } as const;
const unconfirmed = (left = false) => ({ result: 'unconfirmed', why: 'the text still sits in its input', left }) as const;
const checkin = (every: number, grace: number, onMiss: 'nudge' | 'restart' | 'stop' | 'none') =>
  agent('a', { checkin: { everyMs: every, graceMs: grace, onMiss, nudge: 'check in please' } });

describe('check-in cadence', () => {
  it('due and missing: overdue, the nudge waits for idle, then is typed', () => {
    const r = play([checkin(15 * M, 5 * M, 'nudge')], [...launch(), seen(15 * M, 'busy'), seen(15 * M + 2 * S, 'idle')]);
    expect(r.kinds).toContain(`overdue@${15 * M}`);
    expect(r.typed).toEqual([{ at: 15 * M + 2 * S, text: 'check in please' }]);
    expect(r.crew.agents['t/a']?.overdueSince).toBe(15 * M);
  });

  it('a check-in clears the overdue state and restarts the cadence', () => {
    const r = play([checkin(15 * M, 5 * M, 'stop')], [
      ...launch(),
      seen(15 * M, 'busy'),
      [16 * M, { type: 'checkin', agent: 't/a', message: 'on it' }],
      seen(30 * M, 'busy'),
    ]);
    expect(r.crew.agents['t/a']).toMatchObject({ overdueSince: null, lastCheckin: 16 * M, checkinMessage: 'on it', status: { state: 'running' } });
  });

  it.each([
    ['stop', { state: 'failed', reason: 'checkin' }],
    ['restart', { state: 'backoff', reason: 'checkin' }],
  ] as const)('past grace, on_miss %s', (onMiss, status) => {
    const r = play([checkin(15 * M, 5 * M, onMiss)], [...launch(), seen(15 * M, 'busy'), seen(20 * M, 'busy')]);
    expect(r.crew.agents['t/a']?.status).toMatchObject(status);
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'kill', agent: 't/a' }));
  });

  it('on_miss nudge nudges again after grace, and every grace after that', () => {
    const r = play([checkin(15 * M, 5 * M, 'nudge')], [
      ...launch(),
      seen(15 * M, 'idle'),
      [15 * M + S, { type: 'typed', agent: 't/a', id: `nudge-${15 * M}`, outcome: OK }],
      seen(20 * M, 'idle'),
      [20 * M + S, { type: 'typed', agent: 't/a', id: `nudge-${20 * M}`, outcome: OK }],
      seen(25 * M, 'idle'),
    ]);
    expect(r.typed.map((t) => t.at)).toEqual([15 * M, 20 * M, 25 * M]);
    expect(r.kinds).toContain(`missed@${20 * M}`);
  });

  it('on_miss none only says so', () => {
    const r = play([checkin(15 * M, 5 * M, 'none')], [...launch(), seen(15 * M, 'busy'), seen(20 * M, 'busy')]);
    expect(r.crew.agents['t/a']?.status.state).toBe('running');
    expect(r.kinds).toContain(`missed@${20 * M}`);
  });
});

describe('start-up: nothing is typed before the input line shows', () => {
  const ready = (at: number, activity: Activity, isReady: boolean, reason?: string): [number, CrewEvent] => [
    at,
    { type: 'usage', agents: {}, activity: { 't/a': as(activity, reason, null, isReady) }, intervalMs: 2 * S },
  ];
  const prompt = [agent('a', { prompt: 'go' })];

  it.each([
    // [what the screens showed, typed at]
    ['idle by quiet without the input line, then the input line', [ready(2 * S, 'idle', false, 'quiet'), ready(4 * S, 'idle', true)], 4 * S],
    ['busy, then waiting (a dialog), then the input line', [ready(2 * S, 'busy', false), ready(4 * S, 'waiting', false, 'dialog'), ready(6 * S, 'idle', true)], 6 * S],
    ['the input line at once', [ready(2 * S, 'idle', true)], 2 * S],
    ['never the input line', [ready(2 * S, 'idle', false, 'quiet'), ready(30 * S, 'idle', false, 'quiet')], null],
  ] as const)('%s', (_what, looks, at) => {
    const r = play(prompt, [...launch(), ...looks]);
    expect(r.typed).toEqual(at === null ? [] : [{ at, text: 'go' }]);
  });

  it('ready once is ready for the attempt: busy and idle later take text as before', () => {
    const r = play(prompt, [
      ...launch(),
      ready(2 * S, 'idle', true),
      [3 * S, { type: 'typed', agent: 't/a', id: 'prompt-1', outcome: OK }],
      ready(4 * S, 'busy', false),
      [5 * S, { type: 'message', agent: 't/a', id: 'm1', text: 'next', force: false }],
      ready(6 * S, 'idle', false, 'quiet'),
    ]);
    expect(r.typed).toEqual([{ at: 2 * S, text: 'go' }, { at: 6 * S, text: 'next' }]);
    expect(r.crew.agents['t/a']?.readyAt).toBe(2 * S);
  });

  it('not even a forced item goes before the input line shows', () => {
    const r = play([agent('a')], [...launch(), ready(2 * S, 'busy', false), [3 * S, { type: 'message', agent: 't/a', id: 'm1', text: 'now!', force: true }], ready(4 * S, 'idle', true)]);
    expect(r.typed).toEqual([{ at: 4 * S, text: 'now!' }]);
  });

  it('a new attempt must show its input line again', () => {
    const r = play(prompt, [
      ...launch(),
      ready(2 * S, 'idle', true),
      [3 * S, { type: 'typed', agent: 't/a', id: 'prompt-1', outcome: OK }],
      [4 * S, { type: 'exited', agent: 't/a', attempt: 1, code: 1 }],
      [60 * S, { type: 'tick' }],
      [60 * S, { type: 'launched', agent: 't/a', attempt: 2, pane: '%1', pid: 11 }],
      ready(62 * S, 'idle', false, 'quiet'),
      ready(64 * S, 'idle', true),
    ]);
    expect(r.crew.agents['t/a']?.attempt).toBe(2);
    expect(r.typed).toEqual([{ at: 2 * S, text: 'go' }, { at: 64 * S, text: 'go' }]);
  });

  it("past the preset's ready.timeout: one not-ready event; a later input line types and says ready", () => {
    const r = play(prompt, [
      ...launch(),
      ready(30 * S, 'idle', false, 'quiet'),
      ready(60 * S, 'idle', false, 'quiet'),
      ready(62 * S, 'idle', false, 'quiet'),
      [90 * S, { type: 'tick' }],
      ready(95 * S, 'idle', true),
    ]);
    expect(r.kinds.filter((k) => k.startsWith('not-ready'))).toEqual([`not-ready@${60 * S}`]);
    expect(r.kinds).toContain(`ready@${95 * S}`);
    expect(r.typed).toEqual([{ at: 95 * S, text: 'go' }]);
  });

  it('no not-ready event while a prompt or dialog waits for the user (needs-you reports it)', () => {
    const r = play(prompt, [...launch(), ready(2 * S, 'waiting', false, 'dialog'), ready(70 * S, 'waiting', false, 'dialog'), [80 * S, { type: 'tick' }]]);
    expect(r.kinds.filter((k) => k.startsWith('not-ready'))).toEqual([]);
    expect(r.typed).toEqual([]);
  });
});

describe('the outbox', () => {
  it('the first prompt is typed once the agent is first idle, and only once', () => {
    const r = play([agent('a', { prompt: 'You are the PM' })], [
      ...launch(),
      seen(2 * S, 'busy'),
      seen(4 * S, 'idle'),
      [5 * S, { type: 'typed', agent: 't/a', id: 'prompt-1', outcome: OK }],
      seen(6 * S, 'idle'),
    ]);
    expect(r.typed).toEqual([{ at: 4 * S, text: 'You are the PM' }]);
    expect(r.kinds).toContain(`prompted@${5 * S}`);
  });

  it('never types into a busy or waiting agent unless forced', () => {
    const r = play([agent('a')], [
      ...launch(),
      [S, { type: 'message', agent: 't/a', id: 'm1', text: 'hello', force: false }],
      seen(2 * S, 'busy'),
      seen(4 * S, 'waiting'),
      [5 * S, { type: 'message', agent: 't/a', id: 'm2', text: 'now!', force: true }],
    ]);
    expect(r.typed).toEqual([]); // m1 heads the queue and waits; m2 is behind it
    const forced = play([agent('a')], [...launch(), seen(S, 'idle'), seen(2 * S, 'busy'), [3 * S, { type: 'message', agent: 't/a', id: 'm2', text: 'now!', force: true }]]);
    expect(forced.typed).toEqual([{ at: 3 * S, text: 'now!' }]);
  });

  it('never types over a draft (text left in the input), nor into a waiting agent; idle again, it types', () => {
    const r = play([agent('a')], [
      ...launch(),
      [S, { type: 'message', agent: 't/a', id: 'm1', text: 'hello', force: false }],
      seen(2 * S, 'idle', 't/a', 'draft'),
      seen(4 * S, 'waiting', 't/a', 'dialog'),
      seen(6 * S, 'waiting', 't/a', 'permission'),
    ]);
    expect(r.typed).toEqual([]);
    const again = play([agent('a')], [...launch(), [S, { type: 'message', agent: 't/a', id: 'm1', text: 'hello', force: false }], seen(2 * S, 'idle', 't/a', 'draft'), seen(4 * S, 'idle')]);
    expect(again.typed).toEqual([{ at: 4 * S, text: 'hello' }]);
    const forced = play([agent('a')], [...launch(), seen(2 * S, 'idle', 't/a', 'draft'), [3 * S, { type: 'message', agent: 't/a', id: 'm1', text: 'now', force: true }]]);
    expect(forced.typed).toEqual([{ at: 3 * S, text: 'now' }]);
  });

  it('the agent keeps the reason of its activity and the line a prompt showed', () => {
    const r = play([agent('a')], [
      ...launch(),
      [2 * S, { type: 'usage', agents: {}, activity: { 't/a': as('waiting', 'permission', 'Do you want to proceed?') } }],
    ]);
    expect(r.crew.agents['t/a']).toMatchObject({ activity: 'waiting', activityReason: 'permission', waitingLine: 'Do you want to proceed?' });
    const after = play([agent('a')], [...launch(), [2 * S, { type: 'usage', agents: {}, activity: { 't/a': as('waiting', 'dialog', 'Trust this folder?') } }], seen(4 * S, 'idle', 't/a', 'draft')]);
    expect(after.crew.agents['t/a']).toMatchObject({ activity: 'idle', activityReason: 'draft', waitingLine: null });
  });

  it('one item at a time; a try not confirmed is retried after a new look at the screen and a growing gap, then given up after 3', () => {
    const r = play([agent('a')], [
      ...launch(),
      [S, { type: 'message', agent: 't/a', id: 'm1', text: 'one', force: false }],
      [S, { type: 'message', agent: 't/a', id: 'm2', text: 'two', force: false }],
      seen(2 * S, 'idle'),
      seen(3 * S, 'idle'),
      [4 * S, { type: 'typed', agent: 't/a', id: 'm1', outcome: unconfirmed() }],
      [4 * S, { type: 'usage', agents: {}, activity: { 't/a': as('idle') }, observedAt: 3 * S }], // looked before the try ended
      seen(5 * S, 'idle'), // idle, but within the 5 s a first retry waits
      seen(9 * S, 'idle'),
      [10 * S, { type: 'typed', agent: 't/a', id: 'm1', outcome: unconfirmed() }],
      seen(19 * S, 'idle'), // a second retry waits 10 s
      seen(20 * S, 'idle'),
      [21 * S, { type: 'typed', agent: 't/a', id: 'm1', outcome: unconfirmed(true) }],
      seen(22 * S, 'idle'),
    ]);
    expect(r.typed).toEqual([
      { at: 2 * S, text: 'one' },
      { at: 9 * S, text: 'one' },
      { at: 20 * S, text: 'one' },
      { at: 22 * S, text: 'two' },
    ]);
    // the tries after the first are retries: the runner looks for the text above the input first
    const retries = r.effects.filter((e) => e.type === 'type').map((e) => (e as { retry?: boolean }).retry ?? false);
    expect(retries).toEqual([false, true, true, false]);
    expect(r.kinds).toContain(`not-delivered@${21 * S}`);
    const line = (r.effects.find((e) => e.type === 'notify' && e.kind === 'not-delivered') as { message: string }).message;
    expect(line).toMatch(/^message not delivered after 3 tries: the text still sits in its input; its text is left in the input/);
  });

  it('a try that left its text in the input is retried over that draft (its own), and only while the input still holds it', () => {
    const typedLeft = (at: number): [number, CrewEvent] => [at, { type: 'typed', agent: 't/a', id: 'm1', outcome: unconfirmed(true) }];
    const r = play([agent('a')], [
      ...launch(),
      [S, { type: 'message', agent: 't/a', id: 'm1', text: 'one', force: false }],
      seen(2 * S, 'idle'),
      typedLeft(3 * S),
      seen(8 * S, 'idle', 't/a', 'draft'),
    ]);
    expect(r.typed).toEqual([
      { at: 2 * S, text: 'one' },
      { at: 8 * S, text: 'one' },
    ]);
    expect(r.effects.filter((e) => e.type === 'type').at(-1)).toMatchObject({ retry: true });
    // someone changed the input meanwhile: the runner finds a draft that is not the text, and the item waits for it to go
    const after = step(r.crew, { type: 'typed', agent: 't/a', id: 'm1', outcome: { result: 'refused', why: "someone's draft is in its input", seen: as('idle', 'draft') } }, context([agent('a')], 9 * S));
    expect(after.state.agents['t/a']?.outbox[0]).toEqual({ id: 'm1', kind: 'message', text: 'one', force: false, tries: 1 });
    const later = step(after.state, { type: 'usage', agents: {}, activity: { 't/a': as('idle', 'draft') }, intervalMs: 2 * S }, context([agent('a')], 30 * S));
    expect(later.effects.filter((e) => e.type === 'type')).toEqual([]);
    // a draft left by an unconfirmed try does not carry over to a new attempt of the agent
    const relaunched = play([agent('a')], [
      ...launch(),
      [S, { type: 'message', agent: 't/a', id: 'm1', text: 'one', force: false }],
      seen(2 * S, 'idle'),
      typedLeft(3 * S),
      [4 * S, { type: 'exited', agent: 't/a', attempt: 1, code: 1 }],
      [60 * S, { type: 'tick' }],
      [60 * S, { type: 'launched', agent: 't/a', attempt: 2, pane: '%1', pid: 11 }],
    ]);
    expect(relaunched.crew.agents['t/a']).toMatchObject({ attempt: 2, outbox: [{ id: 'm1', tries: 1 }] });
    expect(relaunched.crew.agents['t/a']?.outbox[0]?.left).toBeUndefined();
  });

  it("a try the screen did not confirm counts as submitted when the CLI's hook said busy or waiting after the typing began", () => {
    const hook = (at: number, activity: Activity | null): [number, CrewEvent] => [at, { type: 'hook', agent: 't/a', attempt: 1, activity, session: null }];
    const message = (force: boolean): [number, CrewEvent] => [S, { type: 'message', agent: 't/a', id: 'm1', text: 'one', force }];
    const typed = (at: number, left = false): [number, CrewEvent] => [at, { type: 'typed', agent: 't/a', id: 'm1', outcome: unconfirmed(left) }];
    for (const activity of ['busy', 'waiting'] as const) {
      const r = play([agent('a')], [...launch(), message(false), seen(2 * S, 'idle'), hook(2 * S + 400, activity), typed(3 * S, true)]);
      expect(r.crew.agents['t/a']).toMatchObject({ typing: null, outbox: [], activity });
      expect(r.kinds).not.toContain(`not-delivered@${3 * S}`);
    }
    // a hook's word from before the typing, one that says only the session, or idle: not the text taken
    for (const script of [
      [...launch(), hook(1500, 'busy'), hook(1600, 'idle'), message(false), seen(2 * S, 'idle'), typed(3 * S)],
      [...launch(), message(false), seen(2 * S, 'idle'), hook(2 * S + 400, null), typed(3 * S)],
      [...launch(), message(false), seen(2 * S, 'idle'), hook(2 * S + 400, 'idle'), typed(3 * S)],
    ]) {
      const r = play([agent('a')], script);
      expect(r.crew.agents['t/a']?.outbox).toMatchObject([{ id: 'm1', tries: 1 }]);
    }
    // a forced item went into a busy agent: its hooks may speak of the turn already running
    const forced = play([agent('a')], [...launch(), seen(S / 2, 'idle'), seen(S, 'busy'), message(true), hook(S + 400, 'busy'), typed(2 * S)]);
    expect(forced.crew.agents['t/a']?.outbox).toMatchObject([{ id: 'm1', tries: 1 }]);
  });

  it("a confirmed try keeps the hook's word since the typing began: a prompt the CLI asked before the read-back ended is one needs-you", () => {
    const hook = (at: number, activity: Activity): [number, CrewEvent] => [at, { type: 'hook', agent: 't/a', attempt: 1, activity, session: null }];
    const needs = (effects: readonly CrewEffect[]) => effects.filter((e) => e.type === 'needs-you');
    // Codex: the prompt submitted, the tool call asks, all before the typing's read-back reports
    const r = play([agent('a')], [
      ...launch(),
      [S, { type: 'message', agent: 't/a', id: 'm1', text: 'one', force: false }],
      seen(2 * S, 'idle'),
      hook(2 * S + 300, 'busy'),
      hook(2 * S + 500, 'waiting'),
      [2 * S + 600, { type: 'typed', agent: 't/a', id: 'm1', outcome: OK }],
      seen(3 * S, 'waiting', 't/a', 'permission'),
      seen(4 * S, 'waiting', 't/a', 'permission'),
    ]);
    expect(r.crew.agents['t/a']).toMatchObject({ typing: null, outbox: [], activity: 'waiting' });
    expect(needs(r.effects)).toHaveLength(1);
    // a forced item typed into a busy agent: the hook's waiting after it stands too
    const forced = play([agent('a')], [
      ...launch(),
      seen(S / 2, 'idle'),
      hook(S, 'busy'),
      [S + 100, { type: 'message', agent: 't/a', id: 'm1', text: 'one', force: true }],
      hook(S + 500, 'waiting'),
      [S + 600, { type: 'typed', agent: 't/a', id: 'm1', outcome: OK }],
      seen(2 * S, 'waiting', 't/a', 'permission'),
      seen(3 * S, 'waiting', 't/a', 'permission'),
    ]);
    expect(forced.effects.filter((e) => e.type === 'type')).toHaveLength(1);
    expect(forced.crew.agents['t/a']).toMatchObject({ typing: null, outbox: [], activity: 'waiting' });
    expect(needs(forced.effects)).toHaveLength(1);
    // no hook since the typing began: typing made it busy, whatever the hooks said before
    const before = play([agent('a')], [...launch(), hook(1500, 'waiting'), hook(1600, 'idle'), [S * 2, { type: 'message', agent: 't/a', id: 'm1', text: 'one', force: false }], seen(3 * S, 'idle'), [3 * S + 400, { type: 'typed', agent: 't/a', id: 'm1', outcome: OK }]]);
    expect(before.crew.agents['t/a']).toMatchObject({ typing: null, outbox: [], activity: 'busy', activityReason: 'typed' });
  });

  it('a refused try (the screen was not ready) types nothing, counts no try, and takes what the screen showed', () => {
    const r = play([agent('a')], [
      ...launch(),
      [S, { type: 'message', agent: 't/a', id: 'm1', text: 'one', force: false }],
      seen(2 * S, 'idle'),
      [3 * S, { type: 'typed', agent: 't/a', id: 'm1', outcome: { result: 'refused', why: 'a permission prompt is on screen', seen: as('waiting', 'permission', 'Allow?') } }],
      seen(4 * S, 'idle'),
    ]);
    expect(r.crew.agents['t/a']).toMatchObject({ typing: 'm1', outbox: [{ id: 'm1', tries: 0 }] });
    expect(r.typed.map((t) => t.at)).toEqual([2 * S, 4 * S]);
    const held = play([agent('a')], [...launch(), [S, { type: 'message', agent: 't/a', id: 'm1', text: 'one', force: false }], seen(2 * S, 'idle'), [3 * S, { type: 'typed', agent: 't/a', id: 'm1', outcome: { result: 'refused', why: 'draft', seen: as('idle', 'draft') } }]]);
    expect(held.crew.agents['t/a']).toMatchObject({ typing: null, activity: 'idle', activityReason: 'draft', outbox: [{ id: 'm1', tries: 0 }] });
  });

  it('typing makes the agent busy at once: a second item waits for a look at the screen made after the typing', () => {
    const r = play([agent('a', { preset: { ...agent('a').preset, submit: { pauseMs: 200, bracketed: true, enterWhileBusy: 'steer' } } })], [
      ...launch(),
      [S, { type: 'message', agent: 't/a', id: 'm1', text: 'one', force: false }],
      seen(2 * S, 'idle'),
      [2 * S + 400, { type: 'typed', agent: 't/a', id: 'm1', outcome: OK }],
      [2 * S + 500, { type: 'message', agent: 't/a', id: 'm2', text: 'two', force: false }],
      // the pulse that looked while it was being typed still says idle: not believed
      [3 * S, { type: 'usage', agents: {}, activity: { 't/a': as('idle') }, observedAt: 2 * S + 100 }],
      seen(5 * S, 'busy', 't/a', 'working'),
      seen(7 * S, 'idle'),
    ]);
    expect(r.typed).toEqual([
      { at: 2 * S, text: 'one' },
      { at: 7 * S, text: 'two' },
    ]);
    const rt = play([agent('a')], [...launch(), [S, { type: 'message', agent: 't/a', id: 'm1', text: 'one', force: false }], seen(2 * S, 'idle'), [2 * S + 400, { type: 'typed', agent: 't/a', id: 'm1', outcome: OK }]]).crew.agents['t/a'];
    expect(rt).toMatchObject({ activity: 'busy', activityReason: 'typed', typedAt: 2 * S + 400 });
  });

  it('a handoff is pending until typed into its target, then delivered; it releases `after`', () => {
    const specs = [agent('pm'), agent('dev', { after: ['t/pm'] })];
    const r = play(specs, [
      [0, { type: 'tick' }],
      [0, { type: 'launched', agent: 't/pm', attempt: 1, pane: '%1', pid: 10 }],
      [S, { type: 'handoff', id: 'h1', from: 't/pm', to: 't/dev', message: 'build it', file: '/p/plan.md' }],
      [2 * S, { type: 'launched', agent: 't/dev', attempt: 1, pane: '%2', pid: 11 }],
      seen(3 * S, 'idle', 't/dev'),
    ]);
    expect(r.crew.handoffs?.[0]).toMatchObject({ id: 'h1', state: 'pending' });
    expect(r.typed).toEqual([{ at: 3 * S, text: 'Handoff from t/pm: build it\n(file: /p/plan.md)' }]);
    const done = step(r.crew, { type: 'typed', agent: 't/dev', id: 'handoff-h1', outcome: OK }, context(specs, 4 * S));
    expect(done.state.handoffs?.[0]).toMatchObject({ state: 'delivered', delivered: 4 * S });
    expect(done.state.agents['t/pm']?.lastCheckin).toBe(S);
  });

  it('a handoff from an agent with a worktree carries its branch and head, and the typed text says where to look', () => {
    const specs = [agent('dev'), agent('review')];
    const head = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
    const r = play(specs, [
      [0, { type: 'tick' }],
      [0, { type: 'launched', agent: 't/review', attempt: 1, pane: '%2', pid: 11 }],
      [S, { type: 'handoff', id: 'h1', from: 't/dev', to: 't/review', message: 'please review', file: null, branch: 'muster/t/dev', commit: head }],
      seen(2 * S, 'idle', 't/review'),
    ]);
    expect(r.crew.handoffs?.[0]).toMatchObject({ branch: 'muster/t/dev', commit: head });
    expect(r.typed).toEqual([{ at: 2 * S, text: 'Handoff from t/dev (on branch muster/t/dev at 1a2b3c4): please review' }]);
  });

  it('deliver forces a pending handoff into a busy target', () => {
    const specs = [agent('pm'), agent('dev')];
    const r = play(specs, [
      [0, { type: 'tick' }],
      [0, { type: 'launched', agent: 't/dev', attempt: 1, pane: '%2', pid: 11 }],
      seen(S / 2, 'idle', 't/dev'),
      seen(S, 'busy', 't/dev'),
      [S + S / 2, { type: 'handoff', id: 'h1', from: 't/pm', to: 't/dev', message: 'go', file: null }],
      seen(2 * S, 'busy', 't/dev'),
      [3 * S, { type: 'deliver', handoff: 'h1' }],
    ]);
    expect(r.typed).toEqual([{ at: 3 * S, text: 'Handoff from t/pm: go' }]);
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'type', force: true }));
  });

  it('a handoff given up stays pending, and deliver types it again later', () => {
    const specs = [agent('pm'), agent('dev')];
    const r = play(specs, [
      [0, { type: 'tick' }],
      [0, { type: 'launched', agent: 't/dev', attempt: 1, pane: '%2', pid: 11 }],
      [S, { type: 'handoff', id: 'h1', from: 't/pm', to: 't/dev', message: 'go', file: null }],
      // each retry waits 5 s longer than the one before
      ...[2, 8, 19].flatMap((t): [number, CrewEvent][] => [seen(t * S, 'idle', 't/dev'), [t * S + 500, { type: 'typed', agent: 't/dev', id: 'handoff-h1', outcome: unconfirmed() }]]),
      seen(30 * S, 'idle', 't/dev'),
    ]);
    expect(r.typed).toHaveLength(3);
    expect(r.crew.handoffs[0]?.state).toBe('pending');
    expect(r.crew.agents['t/dev']?.outbox).toEqual([]);
    const line = (r.effects.find((e) => e.type === 'notify' && e.kind === 'not-delivered') as { message: string }).message;
    expect(line).toBe('handoff from t/pm not delivered after 3 tries: the text still sits in its input; the handoff stays pending (h in the TUI delivers it)');
    const again = step(r.crew, { type: 'deliver', handoff: 'h1' }, context(specs, 31 * S));
    expect(again.effects).toContainEqual({ type: 'type', agent: 't/dev', id: 'handoff-h1', text: 'Handoff from t/pm: go', force: true });
  });
});

describe('commit cadence and stalls', () => {
  const committing = agent('a', { commit: { everyMs: 30 * M, nudge: 'commit now' } });
  it('asks an agent that has been busy to commit when its last commit is too old, once per interval', () => {
    const usage = (at: number, last: number | null, activity: 'busy' | 'idle'): [number, CrewEvent] => [
      at,
      { type: 'usage', agents: {}, activity: { 't/a': as(activity) }, commits: { 't/a': last }, intervalMs: 2 * S },
    ];
    const r = play([committing], [...launch(), usage(10 * M, 0, 'busy'), usage(31 * M, 0, 'busy'), usage(31 * M + 2 * S, 0, 'idle'), usage(40 * M, 0, 'idle')]);
    expect(r.kinds.filter((k) => k.startsWith('commit-nudge'))).toEqual([`commit-nudge@${31 * M}`]);
    expect(r.typed).toEqual([{ at: 31 * M + 2 * S, text: 'commit now' }]);
  });

  it('an agent idle since its last commit is left alone', () => {
    const r = play([committing], [...launch(), [31 * M, { type: 'usage', agents: {}, activity: { 't/a': as('idle') }, commits: { 't/a': M } }]]);
    expect(r.kinds.some((k) => k.startsWith('commit-nudge'))).toBe(false);
  });

  it('expect: flagged as stalled once, past twice the expected time', () => {
    const r = play([agent('a', { expectMs: 5 * M })], [...launch(), [10 * M, { type: 'tick' }], [10 * M + S, { type: 'tick' }], [11 * M, { type: 'tick' }]]);
    expect(r.kinds.filter((k) => k.startsWith('stalled'))).toEqual([`stalled@${10 * M + S}`]);
  });
});
