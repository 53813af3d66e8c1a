import { describe, expect, it } from 'vitest';
import { DutyCycler, pause, resume, type Scheduler } from '../../../src/monitor/duty-cycle.js';

/** A virtual clock with timers, and simulated processes that use CPU only while continued. */
class Sim implements Scheduler {
  now = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  readonly procs = new Map<number, { demand: number; cpuMs: number; stopped: boolean }>();
  readonly signals: string[] = [];

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.now + Math.max(0, ms), fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  pending(): number {
    return this.timers.length;
  }
  /** Runs the clock forward, firing timers in order and accruing CPU of running processes. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.run(next.at - this.now);
      next.fn();
    }
    this.run(end - this.now);
  }
  private run(dt: number): void {
    for (const p of this.procs.values()) if (!p.stopped) p.cpuMs += dt * p.demand;
    this.now += dt;
  }
  /** `readStepMs`: the CPU time readings' step (10 ms like /proc; 1000 like procps's ps) */
  cycler(extra: { cpuResolutionMs?: number } = {}, readStepMs = 10): DutyCycler {
    return new DutyCycler({
      ...extra,
      scheduler: this,
      now: () => this.now,
      clockTicks: 100,
      signal: (pid, signal) => {
        this.signals.push(`${signal}:${pid}`);
        const p = this.procs.get(pid);
        if (p) p.stopped = signal === 'SIGSTOP';
      },
      // Like /proc: whole ticks of 10 ms (or coarser steps, like ps)
      readUsage: (pids) =>
        new Map(
          pids
            .filter((pid) => this.procs.has(pid))
            .map((pid) => [pid, { ticks: (Math.floor((this.procs.get(pid)?.cpuMs ?? 0) / readStepMs) * readStepMs) / 10, starttime: 1 }]),
        ),
    });
  }
  /** Percent of one core used by `pid` over the next `ms`. */
  usageOver(pid: number, ms: number): number {
    const before = this.procs.get(pid)?.cpuMs ?? 0;
    this.advance(ms);
    return (((this.procs.get(pid)?.cpuMs ?? 0) - before) / ms) * 100;
  }
}

describe('DutyCycler (simulated processes, virtual clock)', () => {
  it('runs open loop on readings in whole seconds (procps): the limit\'s share of each period', () => {
    const sim = new Sim();
    sim.procs.set(10, { demand: 1, cpuMs: 0, stopped: false });
    const cycler = sim.cycler({ cpuResolutionMs: 1000 }, 1000);
    cycler.set('t/a', [10], 20);
    sim.advance(3000);
    expect(cycler.status('t/a')).toMatchObject({ onShare: 0.2 });
    const used = sim.usageOver(10, 10_000);
    expect(used).toBeGreaterThan(18);
    expect(used).toBeLessThan(22);
    cycler.clear('t/a');
  });

  it('open loop: the demand (what it would use if let run) is the limit until a window of seconds is measured, then never reads as calm while it still wants a core', () => {
    const sim = new Sim();
    sim.procs.set(10, { demand: 1, cpuMs: 0, stopped: false });
    const cycler = sim.cycler({ cpuResolutionMs: 1000 }, 1000);
    cycler.set('t/a', [10], 20);
    sim.advance(1000);
    // readings in whole seconds cannot tell yet: assumed at the limit, so not let go
    expect(cycler.status('t/a')?.demand).toBeCloseTo(20);
    const seen: number[] = [];
    for (let s = 0; s < 60; s++) {
      sim.advance(1000);
      seen.push(cycler.status('t/a')?.demand ?? -1);
    }
    // never under 80% of the limit: the limit until the first window (2 s of running at 20%: 10 s),
    // then 2 s of running read in whole seconds as 1 to 3 s: 50% to 150%
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(20);
    expect(seen.slice(12).every((d) => d >= 50 && d <= 150)).toBe(true);
    // the agent goes idle: the next windows show it
    const p = sim.procs.get(10);
    if (p) p.demand = 0;
    sim.advance(30_000);
    expect(cycler.status('t/a')?.demand).toBe(0);
    cycler.clear('t/a');
  });

  it.each([
    { demand: 1, limit: 30 },
    { demand: 1, limit: 5 },
    { demand: 2, limit: 50 },
    { demand: 2, limit: 150 },
  ])('holds a process demanding $demand core(s) near $limit%', ({ demand, limit }) => {
    const sim = new Sim();
    sim.procs.set(10, { demand, cpuMs: 0, stopped: false });
    const cycler = sim.cycler();
    cycler.set('t/a', [10], limit);
    sim.advance(5000);
    const used = sim.usageOver(10, 10_000);
    expect(used).toBeGreaterThan(limit * 0.9);
    expect(used).toBeLessThan(limit * 1.1);
    expect(cycler.status('t/a')?.demand).toBeCloseTo(demand * 100, -1);
  });

  it('adapts when the demand changes and never stops a process under its limit', () => {
    const sim = new Sim();
    const p = { demand: 0.2, cpuMs: 0, stopped: false };
    sim.procs.set(10, p);
    const cycler = sim.cycler();
    cycler.set('t/a', [10], 50);
    sim.advance(3000);
    sim.signals.length = 0;
    expect(sim.usageOver(10, 5000)).toBeCloseTo(20, 0);
    expect(sim.signals.filter((s) => s.startsWith('SIGSTOP'))).toEqual([]);
    expect(cycler.status('t/a')?.onShare).toBe(1);

    p.demand = 1;
    sim.advance(5000);
    const used = sim.usageOver(10, 5000);
    expect(used).toBeGreaterThan(45);
    expect(used).toBeLessThan(55);
  });

  it('clear() continues the processes and stops its timers; stopAll() clears everyone', () => {
    const sim = new Sim();
    sim.procs.set(10, { demand: 1, cpuMs: 0, stopped: false });
    sim.procs.set(20, { demand: 1, cpuMs: 0, stopped: false });
    const cycler = sim.cycler();
    cycler.set('t/a', [10], 10);
    cycler.set('t/b', [20], 10);
    sim.advance(1050); // inside an "off" part of a period
    expect(sim.procs.get(10)?.stopped).toBe(true);
    cycler.clear('t/a');
    expect(sim.procs.get(10)?.stopped).toBe(false);
    expect(cycler.agents()).toEqual(['t/b']);
    cycler.clear('t/a'); // twice is fine
    cycler.stopAll();
    expect(sim.procs.get(20)?.stopped).toBe(false);
    expect(sim.pending()).toBe(0);
    expect(cycler.status('t/b')).toBeNull();
  });

  it('set() with new pids continues the ones dropped while stopped and cycles the new ones', () => {
    const sim = new Sim();
    sim.procs.set(10, { demand: 1, cpuMs: 0, stopped: false });
    sim.procs.set(11, { demand: 1, cpuMs: 0, stopped: false });
    const cycler = sim.cycler();
    cycler.set('t/a', [10], 10);
    sim.advance(1050);
    expect(sim.procs.get(10)?.stopped).toBe(true);
    cycler.set('t/a', [11], 10);
    expect(sim.procs.get(10)?.stopped).toBe(false);
    sim.advance(1000);
    expect(sim.signals).toContain('SIGSTOP:11');
    cycler.stopAll();
  });

  it('rejects a limit that is not above zero', () => {
    expect(() => new Sim().cycler().set('t/a', [10], 0)).toThrow(RangeError);
  });

  it('pause() and resume() signal every pid', () => {
    const sent: string[] = [];
    pause([3, 4], (pid, s) => sent.push(`${s}:${pid}`));
    resume([3], (pid, s) => sent.push(`${s}:${pid}`));
    expect(sent).toEqual(['SIGSTOP:3', 'SIGSTOP:4', 'SIGCONT:3']);
  });
});
