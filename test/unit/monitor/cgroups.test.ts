import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectCgroups } from '../../../src/monitor/cgroups.js';
import { shellQuote } from '../../../src/text/shell-quote.js';

const tmp = mkdtempSync(join(tmpdir(), 'muster-cgroups-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const procRoot = join(tmp, 'proc');
mkdirSync(join(procRoot, '1'), { recursive: true });
writeFileSync(join(procRoot, '1', 'comm'), 'init\n');

function mountsFile(name: string, text: string): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
}

describe('detectCgroups', () => {
  it('says none when no hierarchy is mounted', async () => {
    const driver = await detectCgroups({ name: 'p', mountsFile: mountsFile('empty', 'proc /proc proc rw 0 0\n'), procRoot });
    expect(driver.kind).toBe('none');
    expect(driver.describe()).toBe('no cgroups (no cgroup hierarchy mounted): limits by sampling and stop/continue');
    expect(await driver.create('t/a', { cpu: 10, memory: null })).toBeNull();
    await driver.removeAll();
  });

  it('says none when groups cannot be made', async () => {
    // Mount points that are plain files: nothing can be made under them.
    const file = mountsFile('nowhere', `cgroup ${join(tmp, 'empty')} cgroup rw,cpu 0 0\ncgroup2 ${join(tmp, 'empty')} cgroup2 rw 0 0\n`);
    const driver = await detectCgroups({ name: 'p', mountsFile: file, procRoot });
    expect(driver.kind).toBe('none');
    expect(driver.describe()).toMatch(/not allowed/);
  });

  it('sets up v2 under muster/<name> and writes limits (on a directory shaped like cgroupfs)', async () => {
    const mount = join(tmp, 'v2');
    mkdirSync(mount);
    writeFileSync(join(mount, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    writeFileSync(join(mount, 'cgroup.subtree_control'), 'cpu\n');
    const driver = await detectCgroups({ name: 'my/crew', mountsFile: mountsFile('v2-mounts', `cgroup2 ${mount} cgroup2 rw 0 0\n`), procRoot });
    expect(driver.kind).toBe('v2');
    // (this stand-in keeps only the last write; the kernel adds each controller to the list)
    expect(readFileSync(join(mount, 'cgroup.subtree_control'), 'utf8')).toBe('+pids');
    expect(readFileSync(join(mount, 'muster', 'cgroup.subtree_control'), 'utf8')).toBe('+pids');
    expect(driver.controls).toEqual({ cpu: true, memory: true, freeze: false, pids: true });
    expect(driver.describe()).toMatch(/^cgroup v2 \(cpu, memory, pids, freeze\)/);
    const handle = await driver.create('team/dev', { cpu: 50, memory: 512 * 1024 * 1024, pids: 100 });
    const dir = join(mount, 'muster', 'my.crew', 'team.dev');
    expect(handle?.paths).toEqual([dir]);
    expect(readFileSync(join(dir, 'cpu.max'), 'utf8')).toBe('50000 100000');
    expect(readFileSync(join(dir, 'memory.max'), 'utf8')).toBe(String(512 * 1024 * 1024));
    expect(readFileSync(join(dir, 'pids.max'), 'utf8')).toBe('100');
    writeFileSync(join(dir, 'pids.events'), 'max 3\n');
    expect(handle?.pidsRefused()).toBe(3);
    expect(handle?.joinScript()).toBe(
      `{ echo $$ > ${shellQuote(`${dir}/cgroup.procs`)}; } 2>/dev/null || echo 'muster: could not join the cgroup of team/dev; running without it' >&2`,
    );
    await handle?.setLimits({ cpu: null, memory: null });
    expect(readFileSync(join(dir, 'cpu.max'), 'utf8')).toBe('max 100000');
    expect(readFileSync(join(dir, 'memory.max'), 'utf8')).toBe('max');
    expect(readFileSync(join(dir, 'pids.max'), 'utf8')).toBe('max');
    writeFileSync(join(dir, 'cgroup.procs'), '31\n30\n');
    expect(handle?.pids()).toEqual([30, 31]);
  });
});
