/**
 * `muster wait AGENT… --until idle|waiting|done|failed|change [--timeout D]` (docs/commands.md):
 * for scripts and CI. It subscribes to the running supervisor's snapshots (pushed on every
 * pulse: no polling) and ends when the condition holds for every named agent (exit 0), on
 * timeout or when it can no longer hold (exit 1); bad usage is exit 2. It prints what it saw.
 */
import { parseDuration } from '../../config/units.js';
import { MusterError, UsageError } from '../../errors.js';
import type { StatusView } from '../../supervisor/control/contract.js';
import { connectSupervisor } from '../compose.js';
import { writeLine, type CliContext } from '../context.js';
import { judge, parseCondition, resolveNames, seenText } from '../wait-until.js';
import type { Flags } from './dispatch.js';

export async function runWait(ctx: CliContext, names: string[], flags: Flags): Promise<number> {
  const condition = parseCondition(typeof flags.until === 'string' ? flags.until : undefined);
  let timeoutMs: number | null = null;
  if (flags.timeout !== undefined) {
    const t = parseDuration(flags.timeout, { positive: true });
    if (!t.ok) throw new UsageError(`bad --timeout: ${t.error}`, 'Use a duration such as 90s, 10m or 1h.');
    timeoutMs = t.value;
  }
  const client = await connectSupervisor(ctx.paths.stateDir, { timeoutMs: 2000 });
  try {
    return await new Promise<number>((resolve, reject) => {
      let ids: string[] | null = null;
      let last: StatusView | null = null;
      const first = new Map<string, string>();
      const met = new Set<string>();
      const timer = timeoutMs === null ? null : setTimeout(() => finish(1, `timed out after ${flags.timeout} waiting for ${condition}`), timeoutMs);
      const finish = (code: number, why: string | null) => {
        if (timer) clearTimeout(timer);
        if (last && ids) for (const id of ids) report(ctx, last, id);
        if (why) writeLine(ctx.stderr, `muster: ${why}`);
        resolve(code);
      };
      client.onClose((err) => {
        if (err) finish(1, `the supervisor went away while waiting: ${err.message}`);
      });
      client
        .subscribe((message) => {
          if (message.type !== 'snapshot') return;
          last = message.snapshot;
          try {
            ids ??= start(message.snapshot, names, first);
          } catch (err) {
            if (timer) clearTimeout(timer);
            reject(err);
            return;
          }
          const verdict = judge(message.snapshot, ids, condition, first, met);
          if (verdict.kind === 'holds') finish(0, null);
          else if (verdict.kind === 'never') finish(1, verdict.why);
        })
        .catch((err: unknown) => {
          if (timer) clearTimeout(timer);
          reject(err instanceof Error ? err : new MusterError(String(err)));
        });
    });
  } finally {
    client.close();
  }
}

/** The named agents' ids, and what each shows as the wait begins. */
function start(view: StatusView, names: readonly string[], first: Map<string, string>): string[] {
  const ids = resolveNames(view, names);
  for (const id of ids) {
    const a = view.agents.find((x) => x.id === id);
    if (a) first.set(id, seenText(a));
  }
  return ids;
}

function report(ctx: CliContext, view: StatusView, id: string): void {
  const a = view.agents.find((x) => x.id === id);
  writeLine(ctx.stdout, `${id}: ${a ? seenText(a) : 'gone'}`);
}


