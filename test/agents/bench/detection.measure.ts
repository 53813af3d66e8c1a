/**
 * Detection measurements with the real agent CLIs, for `npm run bench -- --only agents`
 * (bench/agents.mjs runs this file with vitest.agents.config.ts and
 * MUSTER_AGENTS_BENCH_OUT set; it is no test of the default runs).
 *
 * Per CLI, one crew (crew.ts) and RUNS rounds against the scripted model server. Each
 * round makes five state changes whose truth the test controls, each held for two pulses
 * and a half before it reads what muster says (the confusion matrix):
 *   1. a message is sent; the model holds its first token            → busy
 *   2. the reply streams to its end                                   → idle
 *   3. a message is sent; the model asks for the CLI's shell tool     → waiting
 *      (a `send` made now must be held, not typed into the prompt)
 *   4. the bench approves in the pane; the model holds its answer     → busy
 *   5. the answer and the held message's answer end                   → idle
 * and the latencies, from the server's clock to the first status snapshot the supervisor
 * pushes with the new activity: the request reaches the model → busy (0 when status
 * already said busy: typing makes an agent busy), the stream ends → idle, the tool call
 * is sent → waiting. And the needs-you latency (docs/needs-you.md): from the first look at
 * the pane (every 50 ms) that shows the permission prompt to the start of the project's
 * notify command (it writes the time it started, in ms); negative when the CLI's hook told
 * muster before the prompt was drawn.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'vitest';
import { connectControl, type ControlClient } from '../../../src/supervisor/control/control-client.js';
import { waitFor } from '../../helpers/wait.js';
import type { CliName } from '../cli-env.js';
import { Crew, type AgentView } from '../crew.js';
import type { RecordedRequest } from '../model-server/types.js';

type Activity = NonNullable<AgentView['activity']> | 'none';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const OUT = process.env.MUSTER_AGENTS_BENCH_OUT;
const RUNS = Number(process.env.MUSTER_AGENTS_BENCH_RUNS ?? 20);
const CLIS = (process.env.MUSTER_AGENTS_BENCH_CLIS ?? 'claude,codex,gemini,qwen,opencode').split(',') as CliName[];

export interface CliMeasure {
  cli: CliName;
  pulseMs: number;
  runs: number;
  /** ms per kind; null: not seen within the deadline */
  latency: { busy: Array<number | null>; idle: Array<number | null>; waiting: Array<number | null> };
  /** the permission prompt first seen on screen → the notify command started (ms); null: no notify within 30 s */
  needsYou: Array<number | null>;
  /** how many busy latencies were 0 because status said busy before the request arrived */
  busyBeforeRequest: number;
  /** truth → what status said → count */
  confusion: Record<string, Record<string, number>>;
  /** messages typed into a permission prompt (must be 0) */
  typedIntoPrompt: number;
  /** held messages that reached the model other than exactly once */
  notOnce: number;
  error?: string;
}

/** Status snapshots as the supervisor pushes them, with the time each arrived. */
class Watch {
  readonly seen: Array<{ at: number; activity: Activity }> = [];
  private constructor(
    private readonly client: ControlClient,
    readonly id: string,
  ) {}

  static async open(crew: Crew): Promise<Watch> {
    const client = await connectControl(path.join(crew.project.dir, '.muster'), { timeoutMs: 10_000 });
    const w = new Watch(client, crew.main.id);
    await client.subscribe((m) => {
      if (m.type !== 'snapshot') return;
      const a = m.snapshot.agents.find((x) => x.id === w.id);
      w.seen.push({ at: Date.now(), activity: a?.activity ?? 'none' });
    });
    return w;
  }

  now(): Activity {
    return this.seen.at(-1)?.activity ?? 'none';
  }

  /** The activity at time t (the last snapshot before it). */
  at(t: number): Activity {
    let a: Activity = 'none';
    for (const s of this.seen) if (s.at <= t) a = s.activity;
    return a;
  }

  /** Time of the first snapshot at or after `from` showing `activity`; waits up to `timeoutMs`. */
  async first(activity: Activity, from: number, timeoutMs = 60_000): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.at(from) === activity) return from;
      const hit = this.seen.find((s) => s.at >= from && s.activity === activity);
      if (hit) return hit.at;
      if (Date.now() > deadline) return null;
      await sleep(50);
    }
  }

  close(): void {
    this.client.close();
  }
}

/** When a look at the pane (every 50 ms, for up to two minutes) first showed `prompt`, or null. */
async function promptShownAt(pane: { screen(): Promise<string> }, prompt: RegExp): Promise<number | null> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const lookedAt = Date.now(); // the look's start: a latency measured from it is never too short
    if (prompt.test(await pane.screen())) return lookedAt;
    await sleep(50);
  }
  return null;
}

async function measure(cli: CliName): Promise<CliMeasure> {
  const m: CliMeasure = {
    cli,
    pulseMs: 0,
    runs: 0,
    latency: { busy: [], idle: [], waiting: [] },
    needsYou: [],
    busyBeforeRequest: 0,
    confusion: {},
    typedIntoPrompt: 0,
    notOnce: 0,
  };
  const count = (truth: string, said: string) => {
    m.confusion[truth] ??= {};
    m.confusion[truth][said] = (m.confusion[truth][said] ?? 0) + 1;
  };
  const crew = await Crew.create({ cli, prompt: `Say hello (${cli} bench)`, notify: { command: 'date +%s%3N >> notify-started.log; cat >/dev/null', on: ['waiting'] } });
  const notifyStarts = (): number[] => {
    const f = path.join(crew.project.dir, 'notify-started.log');
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map(Number) : [];
  };
  let watch: Watch | null = null;
  try {
    crew.server.script({ text: 'Hello.' });
    await crew.up();
    m.pulseMs = (await crew.status()).pulseMs;
    const hold = () => sleep(2.5 * m.pulseMs);
    await crew.waitActivity(crew.main, 'idle', 'after the first prompt', { timeoutMs: 300_000 });
    watch = await Watch.open(crew);
    const { server } = crew;
    const escalate = cli === 'codex';
    const pane = await crew.pane();
    const ended = (t: RecordedRequest) => waitFor('the turn ended', () => t.endedAt !== undefined, 120_000).then(() => t.endedAt!);
    for (let run = 0; run < RUNS; run++) {
      const tag = `${cli}-r${run}-${Math.random().toString(36).slice(2, 6)}`;
      await crew.settle();
      await hold();
      const base = server.turns().length;
      // 1. busy while the model holds its first token
      server.script({ text: `Streaming ${tag} `.repeat(12), streamMs: 1_500, chunks: 12, hold: true });
      void crew.sendNow(crew.main, `Answer ${tag}-a`);
      const t1 = await server.waitForTurn(base + 1, 120_000);
      const busyAt = await watch.first('busy', t1.at);
      if (busyAt === t1.at && watch.at(t1.at) === 'busy') m.busyBeforeRequest++;
      m.latency.busy.push(busyAt === null ? null : busyAt - t1.at);
      await hold();
      count('busy', watch.now());
      // 2. idle after the stream ends
      server.release();
      const end1 = await ended(t1);
      m.latency.idle.push(await watch.first('idle', end1).then((t) => (t === null ? null : t - end1)));
      await hold();
      count('idle', watch.now());
      // 3. waiting at the permission prompt; a send made now is held
      server.script({ text: 'I will run it.', toolCall: { shell: `touch bench-${tag}.txt`, escalate } }, { text: `Ran it ${tag}.`, hold: true }, { text: 'Noted.' });
      const notifiedBefore = notifyStarts().length;
      void crew.sendNow(crew.main, `Create bench-${tag}.txt with your shell tool (${tag}-b)`);
      const promptSeen = promptShownAt(pane, crew.main.screens.permission);
      const t2 = await server.waitForTurn(base + 2, 120_000);
      const end2 = await ended(t2);
      m.latency.waiting.push(await watch.first('waiting', end2).then((t) => (t === null ? null : t - end2)));
      await pane.waitForScreen('the permission prompt', crew.main.screens.permission, 60_000);
      const shownAt = await promptSeen;
      const notifiedAt = await waitFor('the notify command started', () => notifyStarts()[notifiedBefore] ?? null, 30_000).catch(() => null);
      m.needsYou.push(shownAt === null || notifiedAt === null ? null : notifiedAt - shownAt);
      const held = `Also note ${tag}-c`;
      void crew.sendNow(crew.main, held);
      await hold();
      const screen = await pane.screen();
      if (screen.includes(held)) m.typedIntoPrompt++;
      count('waiting', watch.now());
      // 4. busy after approval while the model holds its answer
      await crew.approve();
      await server.waitForTurn(base + 3, 120_000);
      await hold();
      count('busy', watch.now());
      // 5. idle once the answer and the held message's answer ended
      server.release();
      await waitFor('the held message answered', () => server.timesReceived(held) >= 1 && server.turns().at(-1)?.endedAt !== undefined, 180_000).catch(() => undefined);
      const last = server.turns().at(-1)!;
      const end3 = last.endedAt ?? Date.now();
      m.latency.idle.push(await watch.first('idle', end3).then((t) => (t === null ? null : t - end3)));
      await hold();
      count('idle', watch.now());
      if (server.timesReceived(held) !== 1) m.notOnce++;
      m.runs++;
      process.stderr.write(`[bench] ${cli} run ${run + 1}/${RUNS}\n`);
    }
  } catch (err) {
    m.error = (err as Error).message.split('\n').slice(0, 3).join(' ');
    process.stderr.write(`[bench] ${cli}: ${(err as Error).message}\n${await crew.context().catch(() => '')}\n`);
  } finally {
    watch?.close();
    await crew.destroy();
  }
  return m;
}

it(
  'measures detection latency and a confusion matrix per CLI',
  async () => {
    if (OUT === undefined) throw new Error('MUSTER_AGENTS_BENCH_OUT is not set: run it with npm run bench -- --only agents');
    const results: CliMeasure[] = [];
    for (const cli of CLIS) {
      results.push(await measure(cli));
      writeFileSync(OUT!, JSON.stringify(results, null, 2));
    }
  },
  CLIS.length * Math.max(RUNS, 1) * 120_000 + 600_000,
);
