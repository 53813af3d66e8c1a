/**
 * Agent logs are capped and rotated (`logs: { max, keep }`): an agent running `yes` leaves
 * at most max × (keep + 1) on disk while the supervisor stays up; `muster logs` (all, -n,
 * -f) reads across the rotated files; the writers are small shell processes.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRows, statFields } from '../helpers/proc.js';
import { agentOf, MAIN, makeProject, waitFor, type TestProject } from '../helpers/project.js';

const MiB = 1024 * 1024;
let p: TestProject;
const logsDir = () => path.join(p.dir, '.muster/logs/lc');
const filesOf = (agent: string) => fs.readdirSync(logsDir()).filter((f) => f === `${agent}.log` || f.startsWith(`${agent}.log.`));
const bytesOf = (agent: string) => filesOf(agent).reduce((n, f) => n + fs.statSync(path.join(logsDir(), f)).size, 0);
const read = (agent: string) => fs.readFileSync(path.join(logsDir(), `${agent}.log`), 'utf8');

beforeAll(async () => {
  p = makeProject('logcap');
  p.write('muster.yaml', 'pulse: 500ms\nlogs: { max: 16KiB, keep: 2 }\n');
  p.write(
    'teams/lc.yaml',
    `name: lc
agents:
  flood:
    # as fast as tmux takes it (a gigabyte a minute on an idle machine), until told to stop
    logs: { max: 256KiB, keep: 2 }
    run: yes & while [ ! -e stop-flood ]; do sleep 0.1; done; kill $!; wait; echo flood-over; exec sleep 600
  counter:
    logs: { max: 64KiB, keep: 3 }
    run: seq 1 100000; echo counted; exec sleep 600
  ticker:
    # the project's cap (muster.yaml)
    run: echo ready; while [ ! -e go ]; do sleep 0.1; done; i=0; while [ $i -lt 20000 ]; do i=$((i+1)); echo "tick $i"; [ $((i % 200)) -eq 0 ] && sleep 0.05; done; echo ticks-over; exec sleep 600
`,
  );
  p.headless();
  await waitFor('the supervisor', async () => (await p.status()).supervisor.running);
}, 180_000);

afterAll(async () => {
  await p.destroy();
}, 180_000);

describe('log cap', () => {
  it('an agent running yes stays within max × (keep + 1), and the supervisor stays up', async () => {
    const max = 256 * 1024;
    const pid = (await p.status()).supervisor.pid;
    const oldest = path.join(logsDir(), 'flood.log.2');
    const seen = new Set<number>();
    let peak = 0;
    // until a second generation of the oldest file: more than max × (keep + 1) was written
    await waitFor(
      'the flood past its cap',
      () => {
        peak = Math.max(peak, bytesOf('flood'));
        if (fs.existsSync(oldest)) seen.add(fs.statSync(oldest).ino);
        return seen.size >= 2;
      },
      60_000,
      20,
    );
    fs.writeFileSync(path.join(p.dir, 'stop-flood'), '');
    await waitFor('the flood to end', () => fs.existsSync(path.join(logsDir(), 'flood.log')) && read('flood').includes('flood-over'), 60_000);
    // sizes summed while files rotate can count one file twice: a sample may show one file more
    expect(peak).toBeLessThanOrEqual(4 * max);
    expect(filesOf('flood').sort()).toEqual(['flood.log', 'flood.log.1', 'flood.log.2']);
    expect(bytesOf('flood')).toBeLessThanOrEqual(3 * max);
    for (const f of filesOf('flood')) expect(fs.statSync(path.join(logsDir(), f)).size).toBeLessThanOrEqual(max);
    const s = await p.status();
    expect(s.supervisor).toMatchObject({ running: true, pid });
    expect(agentOf(s, 'lc/flood').state).toBe('running');
  });

  it('muster logs reads across the rotated files (all, and -n)', async () => {
    await waitFor('the count to end', () => fs.existsSync(path.join(logsDir(), 'counter.log')) && read('counter').includes('counted'), 30_000);
    expect(filesOf('counter').length).toBe(4);
    const tail = await p.muster(['logs', 'counter', '-n', '4']);
    expect(tail.code).toBe(0);
    expect(tail.stdout).toBe('99998\n99999\n100000\ncounted\n');
    const all = await p.muster(['logs', 'counter']);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('counted');
    // what is kept is one unbroken run up to the end (the oldest lines went with the rotation,
    // and the first kept line may be the end of a line cut at a file boundary)
    const numbers = lines.slice(1, -1).map(Number);
    expect(numbers.length).toBeGreaterThan(3 * 64 * 1024 / 7);
    const first = numbers[0] as number;
    expect(first).toBeGreaterThan(1);
    expect(numbers).toEqual(Array.from({ length: 100000 - first + 1 }, (_, i) => first + i));
  });

  it('muster logs -f follows through rotations without losing or repeating a line', async () => {
    await waitFor('ticker ready', () => fs.existsSync(path.join(logsDir(), 'ticker.log')) && read('ticker').includes('ready'));
    const child = spawn(process.execPath, [MAIN, '-C', p.dir, 'logs', 'ticker', '-f'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await waitFor('-f printing', () => out.includes('ready'));
      fs.writeFileSync(path.join(p.dir, 'go'), '');
      await waitFor('ticks followed to the end', () => out.includes('ticks-over'), 60_000);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    const ticks = out.split('\n').filter((l) => l.startsWith('tick ')).map((l) => Number(l.slice(5)));
    expect(ticks).toEqual(Array.from({ length: 20000 }, (_, i) => i + 1));
    expect(filesOf('ticker').length).toBe(3);
  });

  it('the writers are small shell processes, not one runtime per agent', () => {
    const rows = processRows();
    const writers = rows.filter((r) => r.cmd[0] === 'sh' && r.cmd.some((a) => a.includes(logsDir())));
    expect(writers.length).toBeGreaterThanOrEqual(3);
    for (const w of writers) {
      const family = [w, ...rows.filter((r) => r.ppid === w.pid)];
      const rss = family.reduce((n, r) => n + Number(statFields(r.pid)?.[21] ?? 0) * 4096, 0);
      // a shell and a head: a few MiB at most (a Node process would take ~40 MiB)
      expect(rss).toBeLessThan(8 * MiB);
    }
  });
});
