/**
 * What cgroup (if any) holds a process, and the limits written there: read from
 * `/proc/PID/cgroup` and the mounted hierarchies, so the tables say which mechanism
 * really held an agent rather than which one was asked for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function read(file) {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

function mounts() {
  const out = { v2: null, v1: {} };
  for (const line of (read('/proc/self/mounts') ?? '').split('\n')) {
    const [, target, type, options] = line.split(' ');
    if (type === 'cgroup2') out.v2 ??= target;
    else if (type === 'cgroup') for (const o of options.split(',')) out.v1[o] ??= target;
  }
  return out;
}

/**
 * `{ kind, cpuLimit, memoryLimit }` for a process in a cgroup whose path mentions `muster`:
 * kind is 'cgroup v1' or 'cgroup v2'; limits are percent of one core / bytes, null when
 * unlimited. Null when the process is in no muster cgroup (or is gone).
 */
export function musterCgroupOf(pid) {
  const text = read(`/proc/${pid}/cgroup`);
  if (text === null) return null;
  const m = mounts();
  let cpuLimit = null;
  let memoryLimit = null;
  let kind = null;
  for (const line of text.split('\n')) {
    const [, controllers, path] = line.split(':');
    if (!path || !path.includes('muster')) continue;
    if (controllers === '') {
      kind ??= 'cgroup v2';
      if (!m.v2) continue;
      const max = read(join(m.v2, path, 'cpu.max'));
      if (max && !max.startsWith('max')) {
        const [q, p] = max.split(' ').map(Number);
        cpuLimit = (q / p) * 100;
      }
      const mem = read(join(m.v2, path, 'memory.max'));
      if (mem && mem !== 'max') memoryLimit = Number(mem);
      continue;
    }
    const set = controllers.split(',');
    if (set.includes('cpu') && m.v1.cpu) {
      kind = 'cgroup v1';
      const q = Number(read(join(m.v1.cpu, path, 'cpu.cfs_quota_us')));
      const p = Number(read(join(m.v1.cpu, path, 'cpu.cfs_period_us')));
      if (q > 0 && p > 0) cpuLimit = (q / p) * 100;
    }
    if (set.includes('memory') && m.v1.memory) {
      kind = 'cgroup v1';
      const l = Number(read(join(m.v1.memory, path, 'memory.limit_in_bytes')));
      if (l > 0 && l < 2 ** 62) memoryLimit = l;
    }
  }
  return kind === null ? null : { kind, cpuLimit, memoryLimit };
}
