#!/usr/bin/env node
/**
 * Needs-you latency (docs/needs-you.md): from a permission prompt appearing on an agent's
 * screen to the user's notify command starting, over N prompts (default 20), with the
 * project's default pulse (2 s). The agent is the stand-in CLI of the tests
 * (test/fixtures/standin/fake-cli.mjs), which records when it draws its prompt; the notify
 * command records when it starts. Goal: at most one pulse.
 *
 *   node bench/needs-you.mjs [--prompts 20] [--pulse 2s]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MusterProject } from './lib/muster.mjs';
import { toText } from './lib/table.mjs';

const STANDIN = fileURLToPath(new URL('../test/fixtures/standin/', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function until(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export async function runNeedsYouBench({ prompts = 20, pulse = '2s' } = {}) {
  const events = (dir) => (existsSync(join(dir, 'asker.events')) ? readFileSync(join(dir, 'asker.events'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  const p = new MusterProject('needs-you', {
    teams: {
      'ny.yaml': `name: ny\ndefaults:\n  checkin: off\n  commit: off\nagents:\n  asker:\n    preset: fakecli\n    run: FAKE_EVENTS=asker.events FAKE_BUSY_MS=300 exec ${process.execPath} ${join(STANDIN, 'fake-cli.mjs')}\n`,
    },
    project: `pulse: ${pulse}\nnotify:\n  command: date +%s%3N >> started.txt\n  desktop: false\n`,
  });
  mkdirSync(join(p.dir, 'presets'), { recursive: true });
  writeFileSync(join(p.dir, 'presets', 'fakecli.yaml'), readFileSync(join(STANDIN, 'fakecli.yaml'), 'utf8'));
  const started = () => (existsSync(join(p.dir, 'started.txt')) ? readFileSync(join(p.dir, 'started.txt'), 'utf8').trim().split('\n').filter(Boolean).map(Number) : []);
  const latencies = [];
  try {
    await p.start();
    await p.waitRunning(1, 30_000);
    const activity = async () => (await p.status()).agents[0]?.activity;
    await until('the agent idle', async () => (await activity()) === 'idle', 30_000);
    for (let i = 0; i < prompts; i++) {
      const sent = await p.cli(['send', 'asker', `ASK ${i}`]);
      if (sent.code !== 0) throw new Error(`send failed: ${sent.stderr}`);
      await until(`notification ${i + 1}`, () => started().length > i, 30_000);
      const asked = events(p.dir).filter((e) => e.type === 'asked')[i];
      latencies.push(started()[i] - asked.at);
      const pane = (await p.status()).agents[0].pane;
      spawnSync('tmux', ['-S', p.socket, 'send-keys', '-t', pane, 'Enter'], { env: p.env });
      await until('the prompt answered and the agent idle', async () => (await activity()) === 'idle', 30_000);
    }
  } catch (err) {
    const log = existsSync(join(p.stateDir, 'events.jsonl')) ? readFileSync(join(p.stateDir, 'events.jsonl'), 'utf8').trim().split('\n').slice(-12).join('\n') : '';
    throw new Error(`${err.message}\nagent: ${JSON.stringify(events(p.dir).slice(-6))}\nevents:\n${log}`);
  } finally {
    await p.destroy();
  }
  const pulseMs = /ms$/.test(pulse) ? Number(pulse.slice(0, -2)) : Number(pulse.replace(/s$/, '')) * 1000;
  const med = quantile(latencies, 0.5);
  const table = {
    title: `Needs-you latency: prompt drawn → notify command started (${latencies.length} prompts, pulse ${pulseMs} ms)`,
    columns: ['agent', 'prompts', 'median', 'p95', 'max', 'median / pulse'],
    rows: [['stand-in CLI, permission prompt', String(latencies.length), `${med} ms`, `${quantile(latencies, 0.95)} ms`, `${Math.max(...latencies)} ms`, (med / pulseMs).toFixed(2)]],
    notes: ['goal: at most one pulse; the prompt is seen at the next pulse after it is drawn, and the command starts at once'],
  };
  return { table, latencies };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  const { table } = await runNeedsYouBench({ prompts: Number(opt('--prompts', 20)), pulse: opt('--pulse', '2s') });
  console.log(toText(table));
}
