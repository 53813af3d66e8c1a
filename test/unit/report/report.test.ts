import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../../src/core/agent-state.js';
import { buildReport, phasesOf, reportToJson, type ReportEvent, type ReportInput, type ReportRuntime } from '../../../src/report/build-report.js';
import { extractResult } from '../../../src/report/extract-result.js';
import { formatDuration, renderMarkdown } from '../../../src/report/render-markdown.js';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const min = (m: number) => T0 + m * 60_000;
let seq = 0;
const ev = (m: number, agent: string | null, kind: string, extra: Partial<ReportEvent> = {}): ReportEvent => ({
  seq: ++seq, time: new Date(min(m)).toISOString(), level: 'info', agent, kind, message: kind, ...extra,
});
const rt = (id: string, status: AgentStatus, o: Partial<ReportRuntime> = {}): ReportRuntime => ({ id, status, restarts: 0, attempt: 1, startedAt: null, endedAt: null, ...o });
const done = (m: number): AgentStatus => ({ state: 'done', at: min(m) });
/** An agent that ran from minute `a` to minute `b` and is done. */
function ran(id: string, a: number, b: number): { rt: ReportRuntime; events: ReportEvent[] } {
  return { rt: rt(id, done(b), { startedAt: min(a), endedAt: min(b) }), events: [ev(a, id, 'started'), ev(b, id, 'exited'), ev(b, id, 'done')] };
}
function input(agents: Array<{ id: string; after?: string[] }>, runs: Array<{ rt: ReportRuntime; events: ReportEvent[] }>, over: Partial<ReportInput> = {}): ReportInput {
  return {
    agents: agents.map((a) => ({ id: a.id, after: a.after ?? [] })),
    runtimes: Object.fromEntries(runs.map((r) => [r.rt.id, r.rt])),
    events: runs.flatMap((r) => r.events).sort((x, y) => x.time.localeCompare(y.time)),
    now: min(60),
    ...over,
  };
}

describe('buildReport', () => {
  it('a three-phase pipeline: phases one after another, efficiency 1', () => {
    const r = buildReport(input(
      [{ id: 'w/research' }, { id: 'w/outline', after: ['w/research'] }, { id: 'w/draft', after: ['w/outline'] }],
      [ran('w/research', 0, 10), ran('w/outline', 10, 25), ran('w/draft', 25, 45)],
      { results: { 'w/draft': 'the draft' }, busyMs: { 'w/research': 420_000 } },
    ));
    expect(r.agents.map((a) => [a.id, a.phase, a.state, a.start, a.end, a.runMs])).toEqual([
      ['w/research', 0, 'done', min(0), min(10), 600_000],
      ['w/outline', 1, 'done', min(10), min(25), 900_000],
      ['w/draft', 2, 'done', min(25), min(45), 1_200_000],
    ]);
    expect(r.phases.map((p) => [p.phase, p.agents, p.wallMs])).toEqual([[0, ['w/research'], 600_000], [1, ['w/outline'], 900_000], [2, ['w/draft'], 1_200_000]]);
    expect([r.start, r.end, r.wallMs, r.running, r.totalRunMs]).toEqual([min(0), min(45), 2_700_000, false, 2_700_000]);
    expect(r.parallelEfficiency).toBeCloseTo(1, 6);
    expect(r.agents[2]!.result).toBe('the draft');
    expect(r.agents[0]!.busyMs).toBe(420_000);
    expect(r.agents[1]!.busyMs).toBeNull();
  });

  it('a fan-out with a fan-in: the middle phase runs side by side', () => {
    const r = buildReport(input(
      [{ id: 'd/split' }, { id: 'd/t-a', after: ['d/split'] }, { id: 'd/t-b', after: ['d/split'] }, { id: 'd/t-c', after: ['d/split'] }, { id: 'd/merge', after: ['d/t-a', 'd/t-b', 'd/t-c'] }],
      [ran('d/split', 0, 5), ran('d/t-a', 5, 25), ran('d/t-b', 5, 20), ran('d/t-c', 6, 30), ran('d/merge', 30, 40)],
    ));
    expect(r.phases.map((p) => [p.phase, p.agents.length, p.start, p.end, p.wallMs])).toEqual([
      [0, 1, min(0), min(5), 300_000],
      [1, 3, min(5), min(30), 1_500_000],
      [2, 1, min(30), min(40), 600_000],
    ]);
    expect(r.wallMs).toBe(2_400_000);
    expect(r.totalRunMs).toBe((5 + 20 + 15 + 24 + 10) * 60_000);
    expect(r.parallelEfficiency).toBeCloseTo(74 / 40, 6);
  });

  it('an agent that never started is reported without times and left out of the wall time', () => {
    const r = buildReport(input(
      [{ id: 'p/a' }, { id: 'p/b', after: ['p/a'] }],
      [{ rt: rt('p/a', { state: 'failed', at: min(3), reason: 'exit' }, { startedAt: min(1), restarts: 2, attempt: 3 }), events: [ev(1, 'p/a', 'started'), ev(2, 'p/a', 'restart'), ev(3, 'p/a', 'failed')] },
       { rt: rt('p/b', { state: 'pending', reason: 'after' }, { attempt: 0 }), events: [] }],
    ));
    const b = r.agents[1]!;
    expect([b.state, b.reason, b.start, b.end, b.runMs, b.running, b.attempts]).toEqual(['pending', 'after', null, null, null, false, 0]);
    expect(r.phases[1]).toEqual({ phase: 1, agents: ['p/b'], start: null, end: null, wallMs: null, running: false, usage: null });
    const a = r.agents[0]!;
    expect([a.state, a.reason, a.restarts, a.attempts, a.runMs]).toEqual(['failed', 'exit', 2, 3, 120_000]);
    expect(r.wallMs).toBe(120_000);
    expect(r.parallelEfficiency).toBe(1);
  });

  it('counts check-ins and handoffs; restarts from events survive a reset of the counter', () => {
    const runs = [ran('t/pm', 0, 20), ran('t/dev', 10, 50)];
    runs[0]!.events.push(ev(5, 't/pm', 'checkin'), ev(8, 't/pm', 'checkin'), ev(9, 't/pm', 'handoff', { to: 't/dev' }), ev(12, 't/pm', 'nudge'));
    runs[1]!.events.push(ev(15, 't/dev', 'restart'), ev(16, 't/dev', 'reset'), ev(17, 't/dev', 'checkin'), ev(30, 't/dev', 'handoff', { to: 't/pm' }), ev(31, 't/dev', 'handoff', { to: 't/pm' }));
    const fromEvents = buildReport(input([{ id: 't/pm' }, { id: 't/dev' }], runs));
    expect(fromEvents.agents.map((a) => [a.id, a.checkins, a.handoffsIn, a.handoffsOut, a.restarts])).toEqual([
      ['t/pm', 2, 2, 1, 0],
      ['t/dev', 1, 1, 2, 1],
    ]);
    const fromList = buildReport(input([{ id: 't/pm' }, { id: 't/dev' }], runs, { handoffs: [{ from: 't/pm', to: 't/dev' }] }));
    expect(fromList.agents.map((a) => [a.handoffsIn, a.handoffsOut])).toEqual([[0, 1], [1, 0]]);
  });

  it('an agent still running counts up to now, and so does the run', () => {
    const r = buildReport(input(
      [{ id: 's/server' }, { id: 's/job' }],
      [{ rt: rt('s/server', { state: 'running', since: min(2) }, { startedAt: min(2) }), events: [ev(2, 's/server', 'started')] }, ran('s/job', 0, 10)],
      { now: min(30) },
    ));
    expect(r.agents[0]).toMatchObject({ running: true, end: null, runMs: 28 * 60_000 });
    expect([r.running, r.end, r.wallMs, r.totalRunMs]).toEqual([true, null, 30 * 60_000, 38 * 60_000]);
    expect(r.phases[0]).toMatchObject({ running: true, end: null, wallMs: 30 * 60_000 });
  });

  it('uses the first start across attempts, and events alone when the ledger lacks the agent', () => {
    const r = buildReport(input(
      [{ id: 'x/a' }, { id: 'x/ghost' }],
      [{ rt: rt('x/a', done(20), { startedAt: min(12), attempt: 2 }), events: [ev(1, 'x/a', 'started'), ev(10, 'x/a', 'exited'), ev(12, 'x/a', 'started')] },
       { rt: rt('x/unused', done(0)), events: [ev(3, 'x/ghost', 'started'), ev(7, 'x/ghost', 'exited')] }],
    ));
    expect(r.agents[0]).toMatchObject({ start: min(1), end: min(20), runMs: 19 * 60_000, attempts: 2 });
    expect(r.agents[1]).toMatchObject({ state: 'unknown', start: min(3), end: min(7), runMs: 4 * 60_000, attempts: 1 });
  });

  it('phases follow the longest after-chain and survive a cycle or an unknown dependency', () => {
    const p = phasesOf([{ id: 'a', after: [] }, { id: 'b', after: ['a'] }, { id: 'c', after: ['a', 'b'] }, { id: 'd', after: ['nope'] }, { id: 'e', after: ['f'] }, { id: 'f', after: ['e'] }]);
    expect(Object.fromEntries(p)).toEqual({ a: 0, b: 1, c: 2, d: 0, e: 1, f: 0 });
  });

  it('converts to JSON with ISO times', () => {
    const j = reportToJson(buildReport(input([{ id: 'j/a' }], [ran('j/a', 0, 1)]))) as { start: string; agents: Array<{ end: string }> };
    expect(j.start).toBe('2026-11-21T10:00:00.000Z');
    expect(j.agents[0]!.end).toBe('2026-11-21T10:01:00.000Z');
  });
});

describe('renderMarkdown', () => {
  it('shows the summary, the agents, the phases and the results', () => {
    const r = buildReport(input(
      [{ id: 'd/split' }, { id: 'd/t-a', after: ['d/split'] }, { id: 'd/t-b', after: ['d/split'] }, { id: 'd/merge', after: ['d/t-a', 'd/t-b'] }],
      [ran('d/split', 0, 5), ran('d/t-a', 5, 25), ran('d/t-b', 5, 20), { rt: rt('d/merge', { state: 'pending', reason: 'after' }, { attempt: 0 }), events: [] }],
      { results: { 'd/t-a': 'Intro translated.\n```\ncode | pipe\n```', 'd/split': 'a'.repeat(5000) }, busyMs: { 'd/t-a': 65_000 } },
    ));
    const md = renderMarkdown(r);
    expect(md).toContain('# muster run report');
    expect(md).toContain('Wall time: **25m** (2026-11-21 10:00:00Z → 2026-11-21 10:25:00Z)');
    expect(md).toContain('Parallel efficiency: **1.60**');
    expect(md).toContain('| d/t-a | 1 | done | 10:05:00 | 10:25:00 | 20m | 1m 5s | 0 | 0 | 0 / 0 |');
    expect(md).toContain('| d/merge | 2 | pending (after) | – | – | – | – | 0 | 0 | 0 / 0 |');
    expect(md).toContain('| 1 | d/t-a, d/t-b | 10:05:00 | 10:25:00 | 20m |');
    expect(md).toContain('````\nIntro translated.\n```\ncode | pipe\n```\n````');
    expect(md).toContain('_Cut at 4000 of 5000 characters');
    expect(md).toMatch(/### d\/merge\n\n_No result._/);
    expect(md.endsWith('\n')).toBe(true);
  });

  it('lists each agent’s branch, commits, lines and whether it landed', () => {
    const wt = { owner: 'w/dev', branch: 'muster/w/dev', commits: 3, files: 4, added: 120, deleted: 7, merged: true, landed: { at: new Date(min(30)).toISOString(), how: 'squash', into: 'main' } };
    const r = buildReport(input([{ id: 'w/dev' }, { id: 'w/review' }, { id: 'w/pm' }], [ran('w/dev', 0, 30), ran('w/review', 0, 30), ran('w/pm', 0, 5)], {
      worktrees: { 'w/dev': wt, 'w/review': wt },
    }));
    expect(r.agents.map((a) => a.worktree?.branch ?? null)).toEqual(['muster/w/dev', 'muster/w/dev', null]);
    const md = renderMarkdown(r);
    expect(md).toContain('## Branches');
    expect(md).toContain('| w/dev | muster/w/dev | 3 | 4 | +120 −7 | squash into main at 10:30:00 |');
    expect(md).toContain("| w/review | muster/w/dev (w/dev's) | 3 | 4 | +120 −7 | squash into main at 10:30:00 |");
    expect(md).not.toMatch(/\| w\/pm \| muster/);
    expect(renderMarkdown(buildReport(input([{ id: 'n/a' }], [ran('n/a', 0, 1)])))).not.toContain('## Branches');
  });

  it('says so when nothing started', () => {
    const md = renderMarkdown(buildReport(input([{ id: 'n/a' }], [{ rt: rt('n/a', { state: 'pending', reason: 'ceiling' }, { attempt: 0 }), events: [] }])));
    expect(md).toContain('1 agent: 1 pending.');
    expect(md).toContain('No agent has started.');
  });

  it.each([[null, '–'], [450, '450ms'], [12_000, '12s'], [185_000, '3m 5s'], [3_720_000, '1h 2m'], [7_200_000, '2h'], [120_000, '2m']])('formats %s ms as %s', (ms, want) => {
    expect(formatDuration(ms)).toBe(want);
  });
});

describe('extractResult', () => {
  it.each([
    ['plain', 'work…\n<result>All 3 files translated.</result>\n$ ', 'All 3 files translated.'],
    ['the last of several', '<result>first</result> more <result>\n  second\n</result>', 'second'],
    ['escapes stripped', '\x1b[1m<result>\x1b[0m\x1b[32mgreen\x1b[39m ok\x1b]0;title\x07</result>', 'green ok'],
    ['a carriage return keeps the last write', '<result>\nprogress 10%\rdone, 3 pages\n</result>', 'done, 3 pages'],
    ['an unclosed last tag does not hide a complete one', '<result>real</result>\n> end with <result> and', 'real'],
    ['none', 'no tags here', null],
    ['only a closing tag', 'x</result>', null],
  ])('%s', (_name, log, want) => {
    expect(extractResult(log)).toBe(want);
  });
});

describe('tokens and cost in the report', () => {
  it('per agent, per phase and in total; a cost unknown anywhere leaves the sum unknown', async () => {
    const { buildReport } = await import('../../../src/report/build-report.js');
    const { renderMarkdown } = await import('../../../src/report/render-markdown.js');
    const agents = [
      { id: 'p/a', after: [] },
      { id: 'p/b', after: ['p/a'] },
      { id: 'p/c', after: ['p/a'] },
      { id: 'p/d', after: [] },
    ];
    const r = buildReport({
      agents,
      runtimes: {},
      events: [],
      usage: {
        'p/a': { input: 100, output: 10, cacheWrite: 5, cacheRead: 1000, cost: 0.5 },
        'p/b': { input: 200, output: 20, cacheWrite: 0, cacheRead: 0, cost: 1.25 },
        'p/c': { input: 1, output: 1, cacheWrite: 0, cacheRead: 0, cost: null },
      },
      now: 0,
    });
    expect(r.agents.map((a) => (a.usage === null ? 'none' : a.usage.cost))).toEqual([0.5, 1.25, null, 'none']);
    expect(r.phases.map((p) => p.usage)).toEqual([
      { input: 100, output: 10, cacheWrite: 5, cacheRead: 1000, cost: 0.5 },
      { input: 201, output: 21, cacheWrite: 0, cacheRead: 0, cost: null },
    ]);
    expect(r.usage).toEqual({ input: 301, output: 31, cacheWrite: 5, cacheRead: 1000, cost: null });
    const md = renderMarkdown(r);
    expect(md).toContain('| p/b | 200 | 20 | 0 | 0 | $1.25 |');
    expect(md).toContain('| phase 1 | 201 | 21 | 0 | 0 | unknown |');
    expect(md).toContain('| **total** | 301 | 31 | 5 | 1,000 | unknown |');
  });
});
