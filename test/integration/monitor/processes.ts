/**
 * Test helpers: processes the tests start themselves, killed afterwards by their exact
 * pids (and, for detached ones, by their own process group id) — never by name.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { descendants, indexTable } from '../../../src/monitor/membership.js';
import { readProcRow, readProcTable } from '../../../src/monitor/proc-table.js';
import { waitFor as wait } from '../../helpers/wait.js';

/** Starts processes and remembers them so `killAll()` can end them. */
export class Processes {
  private readonly children: { pid: number; detached: boolean }[] = [];
  private readonly extra = new Set<number>();

  /** Spawns a command; `detached` makes it a session leader (setsid). */
  start(command: string, args: string[], options: SpawnOptions = {}): ChildProcess & { pid: number } {
    const child = spawn(command, args, { stdio: 'ignore', ...options });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.on('error', () => undefined);
    this.children.push({ pid: child.pid, detached: options.detached === true });
    return child as ChildProcess & { pid: number };
  }

  /** A shell command, detached (its own session), in a fresh process group. */
  sh(script: string, options: SpawnOptions = {}): ChildProcess & { pid: number } {
    return this.start('/bin/sh', ['-c', script], { detached: true, ...options });
  }

  /** Also kill this pid at the end (a grandchild found during the test). */
  track(pid: number): void {
    this.extra.add(pid);
  }

  /** SIGKILLs everything started (with its descendants) and tracked, continuing stopped ones first. */
  killAll(): void {
    const index = indexTable(readProcTable());
    const pids = new Set(this.extra);
    for (const { pid, detached } of this.children) {
      for (const p of descendants(index, pid)) pids.add(p);
      if (detached) {
        // A detached child leads its own process group, whose id is its pid.
        tryKill(-pid, 'SIGCONT');
        tryKill(-pid, 'SIGKILL');
      }
      pids.add(pid);
    }
    for (const pid of pids) {
      tryKill(pid, 'SIGCONT');
      tryKill(pid, 'SIGKILL');
    }
    this.children.length = 0;
    this.extra.clear();
  }
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  if (pid === process.pid || pid === -process.pid || pid === 0 || pid === 1 || pid === -1) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** The shared waitFor, with this folder's argument order and a short default deadline. */
export function waitFor<T>(check: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  return wait(what, check, timeoutMs, 20);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Total ticks of these pids now (missing ones count 0). */
export function ticksOf(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (readProcRow(pid)?.ticks ?? 0), 0);
}

/** CPU use of these pids over `ms`, in percent of one core. */
export async function cpuOver(pids: readonly number[], ms: number, ticksPerSecond: number): Promise<number> {
  const before = ticksOf(pids);
  const start = performance.now();
  await sleep(ms);
  const seconds = (performance.now() - start) / 1000;
  return ((ticksOf(pids) - before) / ticksPerSecond / seconds) * 100;
}

/** A node program that allocates and touches `mb` MiB, prints `done`, then idles. */
export function allocateScript(mb: number): string {
  return `const k=[];for(let i=0;i<${mb};i++){const b=Buffer.allocUnsafe(1<<20);b.fill(i&255);k.push(b)}process.stdout.write('done\\n');setInterval(()=>k.length,1e6)`;
}
