import { describe, expect, it } from 'vitest';
import { cfsQuotaV1, cpuMaxV2, groupName, memoryLimitV1, memoryMaxV2, parseCgroupMounts, parsePids, parsePidsRefused, pidsMax } from '../../../src/monitor/cgroup-paths.js';

describe('parseCgroupMounts', () => {
  it('finds a hybrid layout: v1 controllers and a controller-less v2', () => {
    const text = [
      'tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0',
      'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0',
      'cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0',
      'cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0',
      'cgroup /sys/fs/cgroup/freezer cgroup rw,relatime,freezer 0 0',
      'cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0',
      'cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0',
      'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0',
      'proc /proc proc rw 0 0',
    ].join('\n');
    expect(parseCgroupMounts(text)).toEqual({
      v2: '/sys/fs/cgroup/unified',
      v1: { cpu: '/sys/fs/cgroup/cpu,cpuacct', memory: '/sys/fs/cgroup/memory', freezer: '/sys/fs/cgroup/freezer', pids: '/sys/fs/cgroup/pids' },
    });
  });

  it('finds a pure v2 layout and decodes escaped paths', () => {
    expect(parseCgroupMounts('cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n')).toEqual({ v2: '/sys/fs/cgroup', v1: { cpu: null, memory: null, freezer: null, pids: null } });
    expect(parseCgroupMounts('cgroup2 /a\\040b cgroup2 rw 0 0').v2).toBe('/a b');
    expect(parseCgroupMounts('')).toEqual({ v2: null, v1: { cpu: null, memory: null, freezer: null, pids: null } });
  });
});

describe('groupName', () => {
  it('turns an agent id into one directory name', () => {
    expect(groupName('team/agent')).toBe('team.agent');
    expect(groupName('front end/dev$1')).toBe('front_end.dev_1');
  });
  it('keeps clear of names the kernel reserves, one-to-one', () => {
    expect(groupName('cgroup/procs')).toBe('m-cgroup.procs');
    expect(groupName('cpu/max')).toBe('m-cpu.max');
    expect(groupName('m-cpu/max')).toBe('m-m-cpu.max');
    expect(groupName('..')).toBe('m-..');
    expect(groupName('')).toBe('m-');
    expect(groupName('cpuhog/a')).toBe('cpuhog.a');
  });
});

describe('limit values', () => {
  it('formats CPU limits against a 100 ms period', () => {
    expect(cpuMaxV2(50)).toBe('50000 100000');
    expect(cpuMaxV2(200)).toBe('200000 100000');
    expect(cpuMaxV2(0.1)).toBe('1000 100000');
    expect(cpuMaxV2(null)).toBe('max 100000');
    expect(cfsQuotaV1(20)).toBe('20000');
    expect(cfsQuotaV1(null)).toBe('-1');
  });
  it('formats memory limits', () => {
    expect(memoryMaxV2(64 * 1024 * 1024)).toBe('67108864');
    expect(memoryMaxV2(null)).toBe('max');
    expect(memoryLimitV1(1.5)).toBe('1');
    expect(memoryLimitV1(null)).toBe('-1');
  });
});

describe('small helpers', () => {
  it('parses cgroup.procs', () => {
    expect(parsePids('12\n7\n\n')).toEqual([12, 7]);
    expect(parsePids('')).toEqual([]);
  });
});

describe('pids', () => {
  it('pids.max values and the refused-fork count of pids.events', () => {
    expect(pidsMax(4096)).toBe('4096');
    expect(pidsMax(null)).toBe('max');
    expect(pidsMax(undefined)).toBe('max');
    expect(parsePidsRefused('max 17\n')).toBe(17);
    expect(parsePidsRefused('max 0\n')).toBe(0);
    expect(parsePidsRefused(null)).toBe(0);
  });
});
