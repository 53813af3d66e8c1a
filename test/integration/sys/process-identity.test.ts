/**
 * Process identity on every path: /proc (Linux), and the portable one (macOS, the BSDs, or
 * MUSTER_SAMPLER=ps) where liveness is a signal 0 and start times come from `ps`. The
 * portable path runs here against real processes, with this machine's ps.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { processIdentity, type IdentityReaders } from '../../../src/sys/process-identity.js';

const children: number[] = [];
afterEach(() => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ended already
    }
  }
});

/** A pid that no process holds now: a child that has ended and been reaped. */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(String(r.stdout).trim());
}

const paths: Array<[string, IdentityReaders]> = [
  ['/proc', { liveness: 'proc', start: 'proc' }],
  ['ps and signals (no /proc)', { liveness: 'signal', start: 'ps' }],
  ['/proc liveness, ps start times (MUSTER_SAMPLER=ps)', { liveness: 'proc', start: 'ps' }],
];

describe.each(paths)('process identity: %s', (_name, readers) => {
  const id = processIdentity(readers);

  it('knows a live process, and that it is the same one as its start time says', () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(child.pid as number);
    const pid = child.pid as number;
    expect(id.isProcessAlive(pid)).toBe(true);
    const start = id.processStartTime(pid);
    expect(start).not.toBeNull();
    expect(id.isSameProcess(pid, start)).toBe(true);
    expect(id.isSameProcess(pid, null)).toBe(false);
  });

  it('a process that ended is gone, and another start time is another process', () => {
    const dead = deadPid();
    expect(id.isProcessAlive(dead)).toBe(false);
    expect(id.processStartTime(dead)).toBeNull();
    const own = id.processStartTime(process.pid);
    expect(own).not.toBeNull();
    const other = readers.start === 'ps' ? `ps:${Number(String(own).slice(3)) - 3600}` : String(Number(own) - 1000);
    expect(id.isSameProcess(process.pid, other)).toBe(false);
  });

  it('refuses pids that are not pids', () => {
    for (const pid of [0, -1, 1.5, Number.NaN]) {
      expect(id.isProcessAlive(pid)).toBe(false);
      expect(id.processStartTime(pid)).toBeNull();
    }
  });
});

describe('ps start times', () => {
  it('two readings a little apart (ps derives lstart from the boot time) are the same process', () => {
    let t = 1_000_000;
    const id = processIdentity({ liveness: 'signal', start: 'ps', psStart: () => t });
    const first = id.processStartTime(process.pid);
    t += 1;
    expect(id.isSameProcess(process.pid, first)).toBe(true);
    t += 5;
    expect(id.isSameProcess(process.pid, first)).toBe(false);
  });
});

describe('a start time recorded on the other path', () => {
  it('is checked the way it was read (a lock written under MUSTER_SAMPLER=ps, read without it, and back)', () => {
    const viaPs = processIdentity({ liveness: 'proc', start: 'ps' });
    const viaProc = processIdentity({ liveness: 'proc', start: 'proc' });
    expect(viaProc.isSameProcess(process.pid, viaPs.processStartTime(process.pid))).toBe(true);
    expect(viaPs.isSameProcess(process.pid, viaProc.processStartTime(process.pid))).toBe(true);
  });

  it('a /proc start time where there is no /proc: liveness is all that can be told', () => {
    const noProc = processIdentity({ liveness: 'signal', start: 'ps' });
    const recorded = processIdentity({ liveness: 'proc', start: 'proc' }).processStartTime(process.pid);
    expect(noProc.isSameProcess(process.pid, recorded)).toBe(true);
    expect(noProc.isSameProcess(deadPid(), recorded)).toBe(false);
  });
});
