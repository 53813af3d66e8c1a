/**
 * Typing survives a crash of the supervisor (docs/reliability.md): an outbox item is saved
 * as being typed before the paste, and the next supervisor looks at the pane — it submits
 * the text still in the input, or clears a line it finds cut off and types again — so the
 * agent gets the message exactly once. Then a fault-injection loop: kill -9 of the
 * supervisor at seeded random moments during a burst of check-ins and handoffs typed into
 * a stand-in CLI (test/fixtures/standin/fake-cli.mjs), every other kill inside a typing held
 * between its paste and its Enter; afterwards every check-in is recorded once, every handoff
 * is in the crew's list once, delivered, and typed once, no agent was restarted, no counter
 * went down.
 * MUSTER_FAULT_SEED=N replays a run; the seed is printed and named in every failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRecordId, writeRecord } from '../../src/inbox/inbox-writer.js';
import { makeProject, waitFor, type Headless, type TestProject } from '../helpers/project.js';
import { tmuxOn } from '../helpers/tmux.js';

const STANDIN = fileURLToPath(new URL('../fixtures/standin/', import.meta.url));
const CLI = path.join(STANDIN, 'fake-cli.mjs');

let p: TestProject;
const hold = () => path.join(p.dir, 'hold-before-enter');

beforeAll(() => {
  p = makeProject('typing-crash');
  p.write('muster.yaml', 'pulse: 500ms\n');
  p.write('presets/fakecli.yaml', fs.readFileSync(path.join(STANDIN, 'fakecli.yaml'), 'utf8'));
  const env = (name: string) => `FAKE_EVENTS=${path.join(p.dir, `${name}.events`)} FAKE_BUSY_MS=300`;
  p.write(
    'teams/t.yaml',
    [
      'name: t',
      'agents:',
      '  r:',
      '    preset: fakecli',
      `    run: ${env('r')} exec ${process.execPath} ${CLI}`,
      '  c:',
      '    run: exec sleep 100000',
      '    checkin: { every: 1h }',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await p.destroy();
});

const submitted = (): string[] => {
  const f = path.join(p.dir, 'r.events');
  if (!fs.existsSync(f)) return [];
  return fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; text?: string })
    .filter((e) => e.type === 'submitted')
    .map((e) => e.text ?? '');
};
const eventLines = (): Array<{ kind: string; agent: string | null; message: string }> => {
  const f = path.join(p.dir, '.muster/events.jsonl');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
};
interface AgentJson {
  id: string;
  pid: number | null;
  pane: string | null;
  attempt: number;
  restarts: number;
  activity: string | null;
  activityReason: string | null;
}
interface HandoffJson {
  id: string;
  message: string;
  state: string;
}
const status = async () => (await p.status()) as unknown as { supervisor: { running: boolean }; agents: AgentJson[]; handoffs: HandoffJson[] };
const agent = async (id: string) => (await status()).agents.find((a) => a.id === id) as AgentJson;
const idle = (id: string) => waitFor(`${id} idle`, async () => ((await agent(id)).activity === 'idle' ? true : null), 60_000);

/** A headless supervisor, up once it answers; one that exits or hangs first fails with its own output (start-up steps included). */
async function startSupervisor(env: NodeJS.ProcessEnv = {}, at = ''): Promise<Headless> {
  const sup = p.headless([], env);
  let code: number | null | undefined;
  void sup.exited.then((c) => (code = c));
  const failed = (what: string) => new Error(`${what}${at ? ` (${at})` : ''}; its output:\n${sup.output().split('\n').slice(-30).join('\n')}`);
  try {
    await waitFor('the supervisor', async () => (code !== undefined || (await status()).supervisor.running ? true : null), 60_000);
  } catch (err) {
    throw failed((err as Error).message);
  }
  if (code !== undefined) throw failed(`the supervisor exited (${code}) before it answered`);
  return sup;
}
async function kill9(sup: Headless): Promise<void> {
  sup.child.kill('SIGKILL');
  await sup.exited;
}
const pause = (ms: number) => new Promise((res) => setTimeout(res, ms));

describe('a typing cut off by a crash', () => {
  it('is submitted by the next supervisor when the text still sits in the input, exactly once', async () => {
    let sup = await startSupervisor({ MUSTER_TEST_HOLD_BEFORE_ENTER: hold() });
    await idle('t/r');
    void p.muster(['send', 't/r', 'resume me after the crash'], { timeoutMs: 120_000 });
    await waitFor('the paste held before Enter', () => fs.existsSync(hold()) || null, 60_000);
    const state = JSON.parse(fs.readFileSync(path.join(p.dir, '.muster/state.json'), 'utf8')) as { crew: { agents: Record<string, { typing: string | null }> } };
    expect(state.crew.agents['t/r']?.typing).toMatch(/^msg-/); // saved as being typed before the paste
    await kill9(sup);
    expect(submitted()).toEqual([]);
    const before = await agent('t/r');
    sup = await startSupervisor();
    await waitFor('submitted', () => submitted().length >= 1 || null, 60_000);
    await idle('t/r');
    await pause(2000);
    expect(submitted()).toEqual(['resume me after the crash']);
    const after = await agent('t/r');
    expect(after.pid).toBe(before.pid);
    expect(after.restarts).toBe(0);
    await kill9(sup);
  }, 240_000);

  it('clears a line it finds cut off and types the text again, exactly once', async () => {
    fs.rmSync(hold(), { force: true });
    let sup = await startSupervisor({ MUSTER_TEST_HOLD_BEFORE_ENTER: hold() });
    await idle('t/r');
    void p.muster(['send', 't/r', 'typed again in full'], { timeoutMs: 120_000 });
    await waitFor('the paste held before Enter', () => fs.existsSync(hold()) || null, 60_000);
    await kill9(sup);
    // as if the paste had been cut short: its tail missing
    const pane = (await agent('t/r')).pane as string;
    const bs = await tmuxOn(p.socket, ['send-keys', '-t', pane, 'BSpace', 'BSpace', 'BSpace', 'BSpace', 'BSpace']);
    expect(bs.code, bs.stderr).toBe(0);
    sup = await startSupervisor();
    await waitFor('submitted', () => submitted().length >= 2 || null, 60_000);
    await idle('t/r');
    await pause(2000);
    expect(submitted()).toEqual(['resume me after the crash', 'typed again in full']);
    await kill9(sup);
  }, 240_000);
});

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fault injection', () => {
  it('kill -9 of the supervisor at random moments loses no check-in or handoff and delivers each once', async () => {
    const seed = Number(process.env.MUSTER_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const at = `seed ${seed} (replay with MUSTER_FAULT_SEED=${seed})`;
    console.log(`fault injection: ${at}`);
    const random = rng(seed);
    const inbox = path.join(p.dir, '.muster/inbox');
    const s0 = await startSupervisor({}, at);
    await idle('t/r');
    const first = await agent('t/r');
    const firstC = await agent('t/c');
    await kill9(s0);
    const delivered0 = submitted().length;
    const checkins: string[] = [];
    const handoffs: string[] = [];
    const seen: Array<{ events: number; handoffs: number; checkins: number; attempt: number }> = [];
    const KILLS = 6;
    let n = 0;
    const write = (kind: 'checkin' | 'handoff') => {
      const i = n++;
      const message = `${kind} ${seed}-${i}`;
      (kind === 'checkin' ? checkins : handoffs).push(message);
      writeRecord(inbox, { v: 1, id: newRecordId(Date.now() + i), kind, agent: 't/c', message, to: kind === 'handoff' ? 'r' : null, file: null, at: Date.now() });
    };
    const sample = async () => {
      const st = await status();
      const events = eventLines();
      seen.push({
        events: events.length,
        handoffs: st.handoffs.length,
        checkins: events.filter((e) => e.kind === 'checkin').length,
        attempt: (st.agents.find((a) => a.id === 't/r') as AgentJson).attempt,
      });
    };
    for (let k = 0; k < KILLS; k++) {
      // every other supervisor dies inside a typing: the paste made, the Enter not pressed
      const holdFile = k % 2 === 0 ? path.join(p.dir, `hold-${k}`) : null;
      const sup = await startSupervisor(holdFile ? { MUSTER_TEST_HOLD_BEFORE_ENTER: holdFile } : {}, `start ${k + 2}, ${at}`);
      await sample();
      // a burst: check-ins and a few handoffs, then the kill at a random moment while they are taken and typed
      const burst = 5 + Math.floor(random() * 10);
      for (let i = 0; i < burst; i++) write(random() < 0.25 ? 'handoff' : 'checkin');
      if (holdFile) {
        write('handoff');
        await waitFor(`a typing held before its Enter (kill ${k + 1}, ${at})`, () => fs.existsSync(holdFile) || null, 60_000);
        await pause(Math.floor(random() * 500));
      } else {
        await pause(300 + Math.floor(random() * 4000));
      }
      await kill9(sup);
    }
    const sup = await startSupervisor({}, `the last start, ${at}`);
    await waitFor(
      `every check-in and handoff taken (${at})`,
      () => fs.readdirSync(inbox).filter((f) => f.endsWith('.json')).length === 0 || null,
      120_000,
    );
    await waitFor(
      `every handoff delivered (${at})`,
      async () => {
        const st = await status();
        const mine = st.handoffs.filter((h) => h.state !== 'delivered');
        return mine.length === 0 && st.handoffs.length >= handoffs.length ? true : null;
      },
      240_000,
    );
    await idle('t/r');
    await pause(2000);
    const lines = eventLines();
    for (const m of checkins) expect(lines.filter((e) => e.kind === 'checkin' && e.message === `checked in: ${m}`), `${m}, ${at}`).toHaveLength(1);
    const typed = submitted().slice(delivered0);
    for (const m of handoffs) expect(typed.filter((t) => t === `Handoff from t/c: ${m}`), `${m}, ${at}`).toHaveLength(1);
    expect(typed, at).toHaveLength(handoffs.length);
    const st = await status();
    for (const m of handoffs) {
      const views = st.handoffs.filter((h) => h.message === m);
      expect(views.map((h) => h.state), `${m}, ${at}`).toEqual(['delivered']);
    }
    await sample();
    const r = await agent('t/r');
    const c = await agent('t/c');
    expect([r.pid, r.attempt, r.restarts, c.pid, c.attempt, c.restarts], at).toEqual([first.pid, first.attempt, first.restarts, firstC.pid, firstC.attempt, firstC.restarts]);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1], seen[i]] as [(typeof seen)[number], (typeof seen)[number]];
      expect(b.events >= a.events && b.handoffs >= a.handoffs && b.checkins >= a.checkins && b.attempt === a.attempt, `counters after kill ${i}: ${JSON.stringify([a, b])}, ${at}`).toBe(true);
    }
    await kill9(sup);
  }, 600_000);
});
