import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectSystemd, setPropertyArgs, startScopeArgs, type CommandRunner } from '../../../src/monitor/cgroup-systemd.js';

/** Records commands and answers them from a table (exit 0, empty output, by default). */
function recorder(answers: Record<string, { code: number; stdout: string }> = {}): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const answer = (cmd: string, args: string[]): { code: number; stdout: string } => {
    const line = [cmd, ...args].join(' ');
    calls.push(line);
    return answers[line] ?? { code: 0, stdout: '' };
  };
  return { calls, run: async (cmd, args) => answer(cmd, args), runSync: (cmd, args) => answer(cmd, args) };
}

const tmp = mkdtempSync(join(tmpdir(), 'muster-systemd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
function procWithInit(comm: string): string {
  const root = join(tmp, comm);
  mkdirSync(join(root, '1'), { recursive: true });
  writeFileSync(join(root, '1', 'comm'), `${comm}\n`);
  return root;
}

describe('systemd scopes (commands only: this machine has no systemd)', () => {
  it('builds the D-Bus call that puts the shell into a scope with its limits', () => {
    expect(startScopeArgs('muster-x-t.a.scope', { cpu: 50, memory: 1024 })).toEqual([
      '--user', 'call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager',
      'StartTransientUnit', 'ssa(sv)a(sa(sv))', 'muster-x-t.a.scope', 'fail', '4',
      'PIDs', 'au', '1', '$$', 'CollectMode', 's', 'inactive-or-failed',
      'CPUQuotaPerSecUSec', 't', '500000', 'MemoryMax', 't', '1024', '0',
    ]);
    expect(startScopeArgs('u.scope', { cpu: null, memory: null })).toContain('2');
    expect(setPropertyArgs('u.scope', { cpu: 25, memory: null })).toEqual(['--user', 'set-property', '--runtime', 'u.scope', 'CPUQuota=25%', 'MemoryMax=infinity']);
  });

  it('is not detected when PID 1 is not systemd', async () => {
    const runner = recorder();
    expect(await detectSystemd('x', procWithInit('init'), runner, '/sys/fs/cgroup')).toBeNull();
    expect(runner.calls).toEqual([]);
  });

  it('is not detected when the user manager does not answer', async () => {
    const runner = recorder({ 'systemctl --user show-environment': { code: 1, stdout: '' } });
    expect(await detectSystemd('x', procWithInit('systemd'), runner, '/sys/fs/cgroup')).toBeNull();
  });

  it('drives a scope through systemctl when detected', async () => {
    const cgroupRoot = join(tmp, 'cgroup');
    const scopeDir = join(cgroupRoot, 'user.slice', 'muster-x-team.dev.scope');
    mkdirSync(scopeDir, { recursive: true });
    writeFileSync(join(scopeDir, 'cgroup.procs'), '4242\n4243\n');
    writeFileSync(join(scopeDir, 'cgroup.freeze'), '1\n');
    const unit = 'muster-x-team.dev.scope';
    const runner = recorder({
      [`systemctl --user show -p ControlGroup --value ${unit}`]: { code: 0, stdout: '/user.slice/muster-x-team.dev.scope\n' },
    });
    const driver = await detectSystemd('x', procWithInit('systemd'), runner, cgroupRoot);
    expect(driver?.kind).toBe('systemd');
    const handle = await driver!.create('team/dev', { cpu: 30, memory: null });
    expect(handle!.joinScript()).toMatch(/^busctl --user call .* PIDs au 1 \$\$ .*CPUQuotaPerSecUSec t 300000 0 >\/dev\/null 2>&1 \|\| echo /);
    expect(handle!.pids()).toEqual([4242, 4243]);
    expect(handle!.isFrozen()).toBe(true);
    runner.calls.length = 0;
    await handle!.setLimits({ cpu: null, memory: 2048 });
    await handle!.freeze();
    await handle!.thaw();
    expect(runner.calls).toEqual([
      `systemctl --user set-property --runtime ${unit} CPUQuota= MemoryMax=2048`,
      `systemctl --user freeze ${unit}`,
      `systemctl --user thaw ${unit}`,
    ]);
    writeFileSync(join(scopeDir, 'cgroup.procs'), '');
    await handle!.remove();
    await driver!.removeAll();
    expect(runner.calls.slice(3)).toEqual([
      `systemctl --user stop ${unit}`,
      'systemctl --user kill --signal=SIGKILL muster-x-*.scope',
      'systemctl --user stop muster-x-*.scope',
    ]);
  });
});
