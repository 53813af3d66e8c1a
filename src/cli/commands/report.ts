/**
 * `muster report [--json]`: the run so far, per agent and per phase of the dependency
 * graph, with parallel efficiency; written to `.muster/report.md` as well.
 */
import { loadProject } from '../../config/load-project.js';
import { buildReport, reportToJson, type ReportEvent } from '../../report/build-report.js';
import { extractResult } from '../../report/extract-result.js';
import { renderMarkdown } from '../../report/render-markdown.js';
import { agentLogFile } from '../../supervisor/paths.js';
import { makePrivateDir, writeFileAtomic } from '../../sys/atomic-file.js';
import { logParts, readLogTail } from '../../sys/capped-log.js';
import type { WorktreeReport } from '../../report/build-report.js';
import { cliWorktreeGit, openLedger, readLedger, readUsage, worktreeOwners, worktreeReport } from '../compose.js';
import { writeLine, type CliContext } from '../context.js';

/** A result is looked for in this much of the end of an agent's log (across its rotated files). */
const RESULT_WINDOW_BYTES = 8 * 1024 * 1024;

export async function runReport(ctx: CliContext, json: boolean): Promise<number> {
  const project = await loadProject(ctx.dir);
  const specs = project.teams.flatMap((t) => t.agents);
  const ledger = openLedger(ctx.paths);
  const saved = readLedger(ctx.paths, project);
  const runtimes = saved?.crew.agents ?? {};
  const results: Record<string, string | null> = {};
  const busyMs: Record<string, number> = {};
  for (const spec of specs) {
    const log = agentLogFile(ctx.paths, spec.id);
    results[spec.id] = logParts(log).length > 0 ? extractResult(readLogTail(log, RESULT_WINDOW_BYTES).toString('utf8')) : null;
    busyMs[spec.id] = runtimes[spec.id]?.busyMs ?? 0;
  }
  const usage = readUsage(project, saved?.crew ?? null);
  // Each worktree's branch, commits and lines from git (docs/worktrees.md); sharers show their owner's.
  const worktrees: Record<string, WorktreeReport> = {};
  for (const { owner, sharedBy } of worktreeOwners(specs)) {
    const w = await worktreeReport(cliWorktreeGit, ctx.paths.stateDir, owner).catch(() => null);
    if (w) for (const id of [owner.id, ...sharedBy]) worktrees[id] = w;
  }
  const report = buildReport({
    agents: specs,
    runtimes,
    events: ledger.readEvents() as unknown as ReportEvent[],
    handoffs: saved?.crew.handoffs ?? [],
    busyMs,
    results,
    usage,
    worktrees,
    now: Date.now(),
  });
  const markdown = renderMarkdown(report);
  makePrivateDir(ctx.paths.stateDir);
  writeFileAtomic(ctx.paths.reportFile, markdown);
  writeLine(ctx.stdout, json ? JSON.stringify(reportToJson(report), null, 2) : markdown.trimEnd());
  return 0;
}
