import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCgroups, type CgroupDriver, type CgroupHandle } from '../../../src/monitor/cgroups.js';
import { clockTicks, readProcRow } from '../../../src/monitor/proc-table.js';
import { allocateScript, cpuOver, Processes, sleep, waitFor } from './processes.js';

const MiB = 1024 * 1024;
const mountsText = readFileSync('/proc/self/mounts', 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'muster-cgroups-'));
const v1OnlyMounts = join(tmp, 'mounts');
writeFileSync(v1OnlyMounts, mountsText.split('\n').filter((l) => l.split(' ')[2] === 'cgroup').join('\n'));

/** Independent of the code under test: may this process make a cgroup in a cpu or memory hierarchy? */
function canMakeGroups(): boolean {
  for (const line of mountsText.split('\n')) {
    const [, dir, type, opts] = line.split(' ');
    const usable = type === 'cgroup' ? /(^|,)(cpu|memory)(,|$)/.test(opts ?? '') : type === 'cgroup2' && /\bcpu\b/.test(readFileSync(join(dir ?? '', 'cgroup.controllers'), 'utf8'));
    if (!usable || !dir) continue;
    const probe = join(dir, `muster-probe-${process.pid}`);
    try {
      mkdirSync(probe);
      rmdirSync(probe);
      return true;
    } catch {
      // not allowed here
    }
  }
  return false;
}

const allowed = canMakeGroups();
/** Independent of the code under test: is a pids controller mounted (v1, or offered by v2)? */
const pidsMounted = mountsText.split('\n').some((line) => {
  const [, dir, type, opts] = line.split(' ');
  if (type === 'cgroup') return /(^|,)pids(,|$)/.test(opts ?? '');
  return type === 'cgroup2' && existsSync(join(dir ?? '', 'cgroup.controllers')) && /\bpids\b/.test(readFileSync(join(dir ?? '', 'cgroup.controllers'), 'utf8'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each([
  ['every mounted hierarchy', '/proc/self/mounts'],
  ['v1 controllers only (no v2 membership)', v1OnlyMounts],
])('cgroups with %s', (_label, mountsFile) => {
  const name = `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const procs = new Processes();
  let driver: CgroupDriver;

  beforeAll(async () => {
    driver = await detectCgroups({ name, mountsFile });
  });
  afterAll(async () => {
    await driver.removeAll();
    procs.killAll();
  });

  /** The group, or null after checking that a machine without cgroups says so honestly. */
  async function group(agentId: string, cpu: number | null, memory: number | null, pids: number | null = null): Promise<CgroupHandle | null> {
    if (!allowed) {
      expect(driver.kind).toBe('none');
      expect(await driver.create(agentId, { cpu, memory, pids })).toBeNull();
      return null;
    }
    const handle = await driver.create(agentId, { cpu, memory, pids });
    expect(handle).not.toBeNull();
    return handle;
  }

  it('detects what this machine allows', () => {
    if (!allowed) {
      expect(driver.kind).toBe('none');
      expect(driver.describe()).toMatch(/no cgroups/);
      return;
    }
    // As root with the v1 cpu controller mounted and no v2 controllers (this build machine): v1.
    const unified = '/sys/fs/cgroup/unified/cgroup.controllers';
    const v2HasCpu = existsSync(unified) && /\bcpu\b/.test(readFileSync(unified, 'utf8'));
    if (process.getuid?.() === 0 && existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') && !v2HasCpu) {
      expect(driver.kind).toBe('v1');
    } else {
      expect(['v1', 'v2', 'systemd']).toContain(driver.kind);
    }
    expect(driver.describe()).toContain(`muster/${name}`);
    if (mountsFile === v1OnlyMounts) expect(driver.describe()).not.toContain('v2');
  });

  it('holds a busy loop to its CPU quota and counts a double-forked child as a member', async () => {
    const handle = await group('team/cpu', 20, null);
    if (!handle) return;
    expect(handle.paths.every((p) => p.endsWith(`muster/${name}/team.cpu`))).toBe(true);
    const quota = handle.paths.find((p) => existsSync(join(p, 'cpu.cfs_quota_us')));
    if (quota) expect(readFileSync(join(quota, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('20000');

    const agent = procs.sh(`${handle.joinScript()}; (sleep 300 &) ; exec sh -c 'while :; do :; done'`);
    const orphan = await waitFor(() => {
      const pids = handle.pids();
      if (!pids.includes(agent.pid)) return undefined;
      return pids.find((pid) => pid !== agent.pid && readProcRow(pid)?.comm === 'sleep');
    }, 5000, 'the agent and its double-forked sleep in the group');
    expect(orphan).toBeDefined();
    expect(readProcRow(orphan!)?.ppid).not.toBe(agent.pid);
    procs.track(orphan!);

    const used = await cpuOver([agent.pid], 1500, clockTicks());
    console.log(`cgroup ${driver.kind}: 20% quota, busy loop measured ${used.toFixed(1)}%`);
    expect(used).toBeLessThan(40);
    expect(used).toBeGreaterThan(2);
  });

  it('freezes (no CPU progress) and thaws (progress again)', async () => {
    const handle = await group('team/freeze', null, null);
    if (!handle) return;
    const agent = procs.sh(`${handle.joinScript()}; exec sh -c 'while :; do :; done'`);
    await waitFor(() => handle.pids().includes(agent.pid), 5000, 'the agent in the group');

    await handle.freeze();
    expect(handle.isFrozen()).toBe(true);
    const state = readProcRow(agent.pid)?.state;
    const freezerState = handle.paths.map((p) => join(p, 'freezer.state')).find((f) => existsSync(f));
    const events = handle.paths.map((p) => join(p, 'cgroup.events')).find((f) => existsSync(f));
    const frozen =
      ['D', 'T'].includes(state ?? '') ||
      (freezerState !== undefined && readFileSync(freezerState, 'utf8').trim() === 'FROZEN') ||
      (events !== undefined && /^frozen 1$/m.test(readFileSync(events, 'utf8')));
    expect(frozen).toBe(true);
    const before = readProcRow(agent.pid)?.ticks ?? 0;
    await sleep(400);
    expect((readProcRow(agent.pid)?.ticks ?? 0) - before).toBeLessThanOrEqual(1);

    await handle.thaw();
    expect(handle.isFrozen()).toBe(false);
    // progress again: on a loaded machine the loop may wait for a core, so wait for it
    const thawedAt = readProcRow(agent.pid)?.ticks ?? 0;
    await waitFor(() => (readProcRow(agent.pid)?.ticks ?? 0) - thawedAt > 10, 10_000, 'CPU progress after the thaw');
  });

  it('OOM-kills a 200 MB allocation under a 64 MiB memory limit', async () => {
    const handle = await group('team/memory', null, 64 * MiB);
    if (!handle) return;
    const agent = procs.sh(`${handle.joinScript()}; exec ${JSON.stringify(process.execPath)} -e "${allocateScript(200)}"`, {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    agent.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      agent.on('exit', (code, signal) => resolve({ code, signal })),
    );
    expect(exit.signal).toBe('SIGKILL');
    expect(out).not.toContain('done');
  });

  it('holds a loop forking without end to its pids limit, and counts the refused forks', async () => {
    expect(driver.controls.pids).toBe(allowed && pidsMounted);
    const handle = await group('team/forks', null, null, 24);
    if (!handle) return;
    const dir = handle.paths.find((p) => existsSync(join(p, 'pids.max')));
    expect(dir).toBeDefined();
    expect(readFileSync(join(dir!, 'pids.max'), 'utf8').trim()).toBe('24');
    expect(handle.pidsRefused()).toBe(0);
    // the loop starts only inside a group whose limit is in force
    const guard = `[ "$(cat ${join(dir!, 'pids.max')})" = 24 ] && grep -qx $$ ${join(dir!, 'cgroup.procs')} || exit 99`;
    const agent = procs.sh(`${handle.joinScript()}; ${guard}; exec bash -c 'while :; do sleep 300 & done' 2>/dev/null`);
    await waitFor(() => handle.pidsRefused() > 0, 30_000, 'a fork refused');
    for (let i = 0; i < 5; i++) {
      expect(Number(readFileSync(join(dir!, 'pids.current'), 'utf8'))).toBeLessThanOrEqual(24);
      expect(handle.pids().length).toBeLessThanOrEqual(24);
      await sleep(100);
    }
    expect(agent.exitCode).toBeNull(); // still trying
    handle.pids().forEach((pid) => procs.track(pid));
    await handle.kill();
    expect(handle.pids()).toEqual([]);
  });

  it('kill() empties the group (double-forked children included) and remove() deletes it', async () => {
    const handle = await group('team/kill', 50, 256 * MiB);
    if (!handle) return;
    const agent = procs.sh(`${handle.joinScript()}; (sleep 300 &) ; (sh -c 'trap "" TERM; sleep 300' &) ; exec sleep 300`);
    await waitFor(() => handle.pids().length >= 3 && handle.pids().includes(agent.pid), 5000, 'three members');
    const members = handle.pids();
    members.forEach((pid) => procs.track(pid));

    await handle.kill();
    expect(handle.pids()).toEqual([]);
    await waitFor(() => members.every((pid) => readProcRow(pid) === null || readProcRow(pid)?.state === 'Z'), 5000, 'members gone');

    await handle.remove();
    for (const dir of handle.paths) expect(existsSync(dir)).toBe(false);

    // Joining a group that is gone warns and still runs the command.
    const late = procs.sh(`{ ${handle.joinScript()}; } 2>&1; echo ran`, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    late.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((resolve) => late.on('exit', resolve));
    expect(out).toBe('muster: could not join the cgroup of team/kill; running without it\nran\n');
  });

  it('removeAll() kills what is left and deletes the crew folder', async () => {
    const handle = await group('team/left', null, null);
    if (!handle) return;
    const agent = procs.sh(`${handle.joinScript()}; exec sleep 300`);
    await waitFor(() => handle.pids().includes(agent.pid), 5000, 'the agent in the group');
    const frozenAlso = await group('team/frozen', null, null);
    const frozenAgent = procs.sh(`${frozenAlso!.joinScript()}; exec sh -c 'while :; do :; done'`);
    await waitFor(() => frozenAlso!.pids().includes(frozenAgent.pid), 5000, 'the frozen agent in its group');
    await frozenAlso!.freeze();

    await driver.removeAll();
    await waitFor(() => readProcRow(agent.pid) === null || readProcRow(agent.pid)?.state === 'Z', 5000, 'the agent killed');
    await waitFor(() => readProcRow(frozenAgent.pid) === null || readProcRow(frozenAgent.pid)?.state === 'Z', 5000, 'the frozen agent killed');
    for (const dir of [...handle.paths, ...frozenAlso!.paths]) {
      expect(existsSync(dir)).toBe(false);
      expect(existsSync(join(dir, '..'))).toBe(false);
    }
  });
});
