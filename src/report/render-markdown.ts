/**
 * The run report as Markdown (`.muster/report.md`). Pure.
 */
import type { AgentReport, ReportUsage, RunReport } from './build-report.js';

/** Results longer than this are cut in the Markdown (the JSON keeps them whole). */
export const MAX_RESULT_CHARS = 4000;

/** `1h 2m`, `3m 5s`, `12s`, `450ms`; `–` for null. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return sec > 0 ? `${m}m ${sec}s` : `${m}m`;
  return `${sec}s`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function fence(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

export function renderMarkdown(report: RunReport): string {
  const full = (t: number) => `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')}Z`;
  const sameDay = report.start !== null && new Date(report.start).toISOString().slice(0, 10) === new Date(report.end ?? report.generatedAt).toISOString().slice(0, 10);
  const time = (t: number | null) => (t === null ? '–' : sameDay ? new Date(t).toISOString().slice(11, 19) : full(t));
  const state = (a: AgentReport) => (a.reason ? `${a.state} (${a.reason})` : a.state);
  const out: string[] = ['# muster run report', ''];

  const counts = new Map<string, number>();
  for (const a of report.agents) counts.set(a.state, (counts.get(a.state) ?? 0) + 1);
  const tally = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
  out.push(`Generated ${full(report.generatedAt)}. ${report.agents.length} agent${report.agents.length === 1 ? '' : 's'}${tally ? `: ${tally}` : ''}.`, '');
  if (report.start === null) {
    out.push('No agent has started.', '');
  } else {
    const span = `${full(report.start)} → ${report.end === null ? 'still running' : full(report.end)}`;
    out.push(`- Wall time: **${formatDuration(report.wallMs)}** (${span})`);
    out.push(`- Agent run time, summed: ${formatDuration(report.totalRunMs)}`);
    const eff = report.parallelEfficiency === null ? '–' : report.parallelEfficiency.toFixed(2);
    out.push(`- Parallel efficiency: **${eff}** (summed run time ÷ wall time; 1.00 = one agent at a time)`, '');
  }

  out.push('## Agents', '');
  out.push('| agent | phase | state | start | end | run | busy | restarts | check-ins | handoffs in / out |');
  out.push('| --- | ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const a of report.agents) {
    const end = a.running ? 'running' : time(a.end);
    out.push(`| ${cell(a.id)} | ${a.phase} | ${cell(state(a))} | ${time(a.start)} | ${end} | ${formatDuration(a.runMs)} | ${formatDuration(a.busyMs)} | ${a.restarts} | ${a.checkins} | ${a.handoffsIn} / ${a.handoffsOut} |`);
  }
  out.push('');

  const withWorktree = report.agents.filter((a) => a.worktree !== null);
  if (withWorktree.length > 0) {
    out.push('## Branches', '');
    out.push('| agent | branch | commits | files | lines | landed |');
    out.push('| --- | --- | ---: | ---: | ---: | --- |');
    for (const a of withWorktree) {
      const w = a.worktree as NonNullable<AgentReport['worktree']>;
      const landed = w.landed ? `${w.landed.how} into ${w.landed.into} at ${time(Date.parse(w.landed.at))}` : w.merged ? 'merged' : 'no';
      const branch = w.owner === a.id ? w.branch : `${w.branch} (${w.owner}'s)`;
      out.push(`| ${cell(a.id)} | ${cell(branch)} | ${w.commits} | ${w.files} | +${w.added} −${w.deleted} | ${cell(landed)} |`);
    }
    out.push('');
  }

  out.push('## Phases', '');
  out.push('| phase | agents | start | end | wall time |');
  out.push('| ---: | --- | --- | --- | ---: |');
  for (const p of report.phases) {
    const end = p.running ? 'running' : time(p.end);
    out.push(`| ${p.phase} | ${cell(p.agents.join(', '))} | ${time(p.start)} | ${end} | ${formatDuration(p.wallMs)} |`);
  }
  out.push('');

  if (report.usage !== null) {
    const n = (v: number) => v.toLocaleString('en-US');
    const row = (name: string, u: ReportUsage | null) =>
      u === null
        ? `| ${cell(name)} | – | – | – | – | – |`
        : `| ${cell(name)} | ${n(u.input)} | ${n(u.output)} | ${n(u.cacheWrite)} | ${n(u.cacheRead)} | ${u.cost === null ? 'unknown' : `$${u.cost.toFixed(2)}`} |`;
    out.push('## Tokens and cost', '');
    out.push('From the agents\' own transcripts; cost at the price table\'s prices ("unknown": a model without a price).', '');
    out.push('| | input | output | cache write | cache read | cost |');
    out.push('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const a of report.agents) if (a.usage !== null) out.push(row(a.id, a.usage));
    for (const p of report.phases) if (p.usage !== null) out.push(row(`phase ${p.phase}`, p.usage));
    out.push(row('**total**', report.usage), '');
  }

  out.push('## Results', '');
  for (const a of report.agents) {
    out.push(`### ${a.id}`, '');
    if (a.session !== null) out.push(`Session \`${a.session}\`${a.resumes > 0 ? `, resumed ${a.resumes} time${a.resumes === 1 ? '' : 's'}` : ''}.`, '');
    if (a.result === null || a.result === '') {
      out.push('_No result._', '');
      continue;
    }
    const cut = a.result.length > MAX_RESULT_CHARS;
    const text = cut ? a.result.slice(0, MAX_RESULT_CHARS) : a.result;
    const f = fence(text);
    out.push(f, text, f);
    if (cut) out.push('', `_Cut at ${MAX_RESULT_CHARS} of ${a.result.length} characters; \`muster report --json\` has all of it._`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
