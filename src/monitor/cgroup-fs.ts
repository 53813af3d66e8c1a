/**
 * Agent groups made of plain cgroupfs directories: cgroup v2, or v1 controllers plus an
 * optional controller-less v2 hierarchy for membership, freeze and kill.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MusterError } from '../errors.js';
import { sleep } from '../sys/time.js';
import { shellQuote } from '../text/shell-quote.js';
import {
  cfsQuotaV1,
  CPU_PERIOD_US,
  cpuMaxV2,
  groupName,
  memoryLimitV1,
  memoryMaxV2,
  parseOomKills,
  parsePids,
  parsePidsRefused,
  pidsMax,
  type CgroupLimits,
} from './cgroup-paths.js';
import type { CgroupDriver, CgroupHandle } from './cgroups.js';
import { pause, resume, signalPid } from './duty-cycle.js';


function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Where one agent's group writes each kind of setting. */
interface GroupLayout {
  /** every directory the agent joins */
  dirs: string[];
  cpu: { dir: string; v2: boolean } | null;
  memory: { dir: string; v2: boolean } | null;
  freezer: { dir: string; v2: boolean } | null;
  pids: { dir: string; v2: boolean } | null;
  /** a v2 directory with `cgroup.kill` */
  kill: string | null;
}

/** A group made of plain cgroupfs directories (v2, or v1 plus an optional v2 for membership). */
class FsCgroupHandle implements CgroupHandle {
  constructor(
    readonly agentId: string,
    private readonly layout: GroupLayout,
  ) {}

  get paths(): string[] {
    return [...this.layout.dirs];
  }

  joinScript(): string {
    const writes = this.layout.dirs.map((dir) => `echo $$ > ${shellQuote(join(dir, 'cgroup.procs'))}`).join(' && ');
    const warning = shellQuote(`muster: could not join the cgroup of ${this.agentId}; running without it`);
    return `{ ${writes}; } 2>/dev/null || echo ${warning} >&2`;
  }

  /**
   * Members, read from one directory (every process joins all of them): the v2 one when
   * there is one, else the first. Called every pulse for every agent, so one read each.
   */
  pids(): number[] {
    const dir = this.layout.kill ?? this.layout.dirs[this.layout.dirs.length - 1];
    if (!dir) return [];
    return parsePids(readText(join(dir, 'cgroup.procs')) ?? '').sort((a, b) => a - b);
  }

  async setLimits(limits: CgroupLimits): Promise<void> {
    const { cpu, memory } = this.layout;
    try {
      if (cpu?.v2) await writeFile(join(cpu.dir, 'cpu.max'), cpuMaxV2(limits.cpu));
      if (cpu && !cpu.v2) {
        await writeFile(join(cpu.dir, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
        await writeFile(join(cpu.dir, 'cpu.cfs_quota_us'), cfsQuotaV1(limits.cpu));
      }
      if (memory?.v2) await writeFile(join(memory.dir, 'memory.max'), memoryMaxV2(limits.memory));
      if (memory && !memory.v2) await setMemoryV1(memory.dir, limits.memory);
      if (this.layout.pids) await writeFile(join(this.layout.pids.dir, 'pids.max'), pidsMax(limits.pids));
    } catch (err) {
      throw new MusterError(`cannot set the limits of ${this.agentId}'s cgroup: ${(err as Error).message}`, {
        hint: 'A memory limit below what the agent already uses cannot be applied; raise it or restart the agent.',
        cause: err,
      });
    }
  }

  async freeze(): Promise<void> {
    const f = this.layout.freezer;
    if (!f) return pause(this.pids());
    await writeFile(join(f.dir, f.v2 ? 'cgroup.freeze' : 'freezer.state'), f.v2 ? '1' : 'FROZEN');
    // Wait (briefly) until the kernel reports the group frozen.
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && !this.settledFrozen()) await sleep(10);
  }

  async thaw(): Promise<void> {
    const f = this.layout.freezer;
    if (!f) return resume(this.pids());
    await writeFile(join(f.dir, f.v2 ? 'cgroup.freeze' : 'freezer.state'), f.v2 ? '0' : 'THAWED');
  }

  oomKills(): number {
    const m = this.layout.memory;
    if (!m) return 0;
    return parseOomKills(readText(join(m.dir, m.v2 ? 'memory.events' : 'memory.oom_control')));
  }

  pidsRefused(): number {
    const p = this.layout.pids;
    return p ? parsePidsRefused(readText(join(p.dir, 'pids.events'))) : 0;
  }

  isFrozen(): boolean {
    const f = this.layout.freezer;
    if (!f) return false;
    if (f.v2) return readText(join(f.dir, 'cgroup.freeze'))?.trim() === '1';
    const state = readText(join(f.dir, 'freezer.state'))?.trim();
    return state === 'FROZEN' || state === 'FREEZING';
  }

  private settledFrozen(): boolean {
    const f = this.layout.freezer;
    if (!f) return true;
    if (f.v2) return /^frozen 1$/m.test(readText(join(f.dir, 'cgroup.events')) ?? '');
    return readText(join(f.dir, 'freezer.state'))?.trim() === 'FROZEN';
  }

  async kill(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let first = true;
    for (;;) {
      const pids = this.pids();
      if (pids.length === 0) return;
      if (Date.now() > deadline) {
        throw new MusterError(`${this.agentId}'s cgroup still has ${pids.length} process(es) after SIGKILL: ${pids.join(' ')}`, {
          hint: 'Processes in uninterruptible sleep (D) die once their I/O ends; check them with `ps -o pid,stat,cmd -p PID`.',
        });
      }
      // Never through cgroup.kill if the supervisor itself is (wrongly) a member.
      if (first && this.layout.kill && !pids.includes(process.pid)) await writeFile(join(this.layout.kill, 'cgroup.kill'), '1');
      first = false;
      for (const pid of pids) signalPid(pid, 'SIGKILL');
      // Frozen tasks cannot act on SIGKILL under the v1 freezer: thaw after signalling.
      if (this.layout.freezer && this.isFrozen()) await this.thaw();
      await sleep(10);
    }
  }

  async remove(timeoutMs = 5000): Promise<void> {
    if (this.pids().length > 0) await this.kill(timeoutMs);
    const deadline = Date.now() + timeoutMs;
    for (const dir of this.layout.dirs) {
      for (;;) {
        try {
          await rmdir(dir);
          break;
        } catch (err) {
          if (errorCode(err) === 'ENOENT') break;
          if (errorCode(err) !== 'EBUSY' || Date.now() > deadline) {
            throw new MusterError(`cannot remove cgroup ${dir}: ${(err as Error).message}`, { cause: err });
          }
          await sleep(10);
        }
      }
    }
  }
}

/** v1 memory: the memory+swap limit must stay ≥ the memory limit at every step. */
async function setMemoryV1(dir: string, bytes: number | null): Promise<void> {
  const limit = join(dir, 'memory.limit_in_bytes');
  const memsw = join(dir, 'memory.memsw.limit_in_bytes');
  const value = memoryLimitV1(bytes);
  if (!existsSync(memsw)) return writeFile(limit, value);
  try {
    await writeFile(limit, value);
    await writeFile(memsw, value);
  } catch (err) {
    if (errorCode(err) !== 'EINVAL') throw err;
    // Raising: memsw first, then the memory limit.
    await writeFile(memsw, value);
    await writeFile(limit, value);
  }
}

/** The hierarchies a filesystem driver uses, each with its `muster/<name>` base directory. */
export interface FsPlan {
  kind: 'v2' | 'v1';
  cpu: { base: string; v2: boolean } | null;
  memory: { base: string; v2: boolean } | null;
  freezer: { base: string; v2: boolean } | null;
  /** the pids controller's base, where the hierarchy has it */
  pids?: { base: string; v2: boolean } | null;
  /** v2 base used for membership (and kill when `cgroup.kill` exists) */
  unified: { base: string; kill: boolean } | null;
}

function planBases(plan: FsPlan): string[] {
  const bases = [plan.cpu?.base, plan.memory?.base, plan.freezer?.base, plan.pids?.base, plan.unified?.base];
  return [...new Set(bases.filter((b): b is string => b !== undefined))];
}

/** Hands out groups under `muster/<name>/` in the hierarchies of a plan. */
export class FsCgroupDriver implements CgroupDriver {
  readonly kind: 'v2' | 'v1';
  readonly controls: { cpu: boolean; memory: boolean; freeze: boolean; pids: boolean };

  constructor(private readonly plan: FsPlan) {
    this.kind = plan.kind;
    this.controls = { cpu: plan.cpu !== null, memory: plan.memory !== null, freeze: plan.freezer !== null, pids: (plan.pids ?? null) !== null };
  }

  describe(): string {
    const p = this.plan;
    if (p.kind === 'v2') return `cgroup v2 (cpu, memory${p.pids ? ', pids' : ''}, freeze${p.unified?.kill ? ', kill' : ''}) at ${p.cpu?.base ?? p.memory?.base}`;
    const controllers = [p.cpu && 'cpu', p.memory && 'memory', p.pids && 'pids', p.freezer && !p.freezer.v2 && 'freezer'].filter(Boolean);
    const extra = p.unified ? ` + v2 membership${p.freezer?.v2 ? ', freeze' : ''}${p.unified.kill ? ', kill' : ''} at ${p.unified.base}` : '';
    return `cgroup v1 (${controllers.join(', ')}) under ${planBases(p).filter((b) => b !== p.unified?.base).join(', ')}${extra}`;
  }

  layout(name: string): GroupLayout {
    const p = this.plan;
    const at = (x: { base: string; v2: boolean } | null): { dir: string; v2: boolean } | null =>
      x ? { dir: join(x.base, name), v2: x.v2 } : null;
    return {
      dirs: planBases(p).map((base) => join(base, name)),
      cpu: at(p.cpu),
      memory: at(p.memory),
      freezer: at(p.freezer),
      pids: at(p.pids ?? null),
      kill: p.unified?.kill ? join(p.unified.base, name) : null,
    };
  }

  async create(agentId: string, limits: CgroupLimits): Promise<CgroupHandle | null> {
    const layout = this.layout(groupName(agentId));
    try {
      for (const dir of layout.dirs) await mkdir(dir, { recursive: true });
    } catch {
      return null;
    }
    const handle = new FsCgroupHandle(agentId, layout);
    await handle.setLimits(limits);
    return handle;
  }

  async removeAll(): Promise<void> {
    const names = new Set<string>();
    for (const base of planBases(this.plan)) {
      const entries = await readdir(base, { withFileTypes: true }).catch(() => []);
      for (const e of entries) if (e.isDirectory()) names.add(e.name);
    }
    for (const name of names) await new FsCgroupHandle(name, this.layout(name)).remove();
    for (const base of planBases(this.plan)) {
      await rmdir(base).catch(() => undefined);
      await rmdir(join(base, '..')).catch(() => undefined); // `muster/`, if no other crew uses it
    }
  }
}
