/**
 * Section: the supervisor's CPU while it reads 10 agents' transcripts that grow at 1 MB/min
 * each (docs/needs-you.md, "Tokens and cost"). Ten idle agents (`sleep`) run with the
 * Claude Code preset and a `--session-id` of their own; this process appends Claude Code's
 * JSONL (user lines with a 2 KiB prompt, assistant lines with `message.usage`) to each
 * agent's transcript in its HOME, four times a second. The supervisor's CPU is measured from
 * /proc in a window with the files still (idle) and in a window with them growing; the goal
 * is no more than +0.1 % of a core. `status --json` afterwards must count every usage
 * line written (the reader keeps up).
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmtCpu } from './lib/table.mjs';
import { measureWindow } from './lib/proc.mjs';
import { MusterProject } from './lib/muster.mjs';

const AGENTS = 10;
const BYTES_PER_MIN = 1024 * 1024;
const TICK_MS = 250;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function lines(n, i) {
  const prompt = 'x'.repeat(2048);
  const user = JSON.stringify({ type: 'user', uuid: randomUUID(), message: { role: 'user', content: [{ type: 'text', text: prompt }] } });
  const assistant = JSON.stringify({
    type: 'assistant',
    uuid: randomUUID(),
    message: { id: `msg_${n}_${i}`, model: 'claude-sonnet-4-5', role: 'assistant', content: [{ type: 'text', text: 'ok' }], usage: { input_tokens: 100, output_tokens: 10, cache_creation_input_tokens: 5, cache_read_input_tokens: 1000 } },
  });
  return `${user}\n${assistant}\n`;
}

export async function runTranscripts({ windowMs = 60_000, settleMs = 15_000, log, track }) {
  const home = join((await import('node:os')).tmpdir(), `muster-bench-home-${process.pid}`);
  const dir = join(home, '.claude', 'projects', '-bench');
  mkdirSync(dir, { recursive: true });
  const sessions = Array.from({ length: AGENTS }, () => randomUUID());
  const files = sessions.map((s) => join(dir, `${s}.jsonl`));
  let written = 0;
  for (const [a, f] of files.entries()) {
    writeFileSync(f, lines(a, 0));
  }
  written += AGENTS;
  const team = ['name: tx', 'defaults:', '  checkin: off', '  commit: off', '  preset: claude', `  env: { HOME: ${JSON.stringify(home)} }`, 'agents:'];
  sessions.forEach((s, i) => team.push(`  a${i}:`, `    run: ${JSON.stringify(`exec sh -c 'exec sleep 3600' agent --session-id ${s}`)}`));
  const m = track(new MusterProject('transcripts', { teams: { 'tx.yaml': `${team.join('\n')}\n` }, project: 'pulse: 2s\n' }));
  try {
    await m.start();
    await m.waitRunning(AGENTS, 60_000);
    await sleep(settleMs);
    const pid = await m.supervisorPid();
    log(`transcripts: idle window ${windowMs / 1000} s…`);
    const idle = (await measureWindow({ supervisor: pid }, windowMs)).procs.supervisor;
    log(`transcripts: growing window ${windowMs / 1000} s (${AGENTS} × 1 MB/min)…`);
    const chunk = lines(0, 0).length;
    const perTick = (BYTES_PER_MIN / 60_000) * TICK_MS;
    let owed = 0;
    let seq = 1;
    let bytes = 0;
    const timer = setInterval(() => {
      owed += perTick;
      while (owed >= chunk) {
        for (const [a, f] of files.entries()) appendFileSync(f, lines(a, seq));
        written += AGENTS;
        bytes += chunk * AGENTS;
        seq++;
        owed -= chunk;
      }
    }, TICK_MS);
    const growing = (await measureWindow({ supervisor: pid }, windowMs)).procs.supervisor;
    clearInterval(timer);
    await sleep(5000);
    const status = await m.status();
    const counted = status.agents.reduce((n, a) => n + (a.usage?.calls ?? 0), 0);
    const delta = idle.cpu !== null && growing.cpu !== null ? growing.cpu - idle.cpu : null;
    return {
      title: `Reading transcripts: supervisor CPU, ${AGENTS} agents, each transcript growing ${((bytes / AGENTS / (windowMs / 60_000)) / 2 ** 20).toFixed(2)} MiB/min (goal: at most +0.1 % of a core over idle)`,
      columns: ['window', 'supervisor CPU (% of a core)', 'usage records counted / written'],
      rows: [
        ['files still (idle)', fmtCpu(idle.cpu), ''],
        ['files growing', fmtCpu(growing.cpu), `${counted} / ${written}`],
        ['difference', delta === null ? '—' : `${delta >= 0 ? '+' : ''}${delta.toFixed(2)}`, delta !== null && delta <= 0.1 ? 'within the goal' : 'over the goal'],
      ],
    };
  } finally {
    await m.destroy().catch(() => undefined);
    track.done(m);
  }
}
