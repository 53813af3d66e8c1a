/**
 * Setup file: when a test fails or a wait times out, print what the projects in use left behind (each
 * headless supervisor's output, the tail of the event log, the tail of every agent log, and
 * what each agent's pane shows now),
 * so a failure on a slow or busy machine can be understood from the CI output alone.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach } from 'vitest';
import { processRows } from './proc.js';
import { liveProjects } from './project.js';
import { reportTimeoutsWith } from './wait.js';

const tail = (text: string, lines: number) => text.split('\n').slice(-lines).join('\n');

function listLogs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.log')).map((f) => path.join(dir, f));
}

/** A live process and its descendants, one line each: pid, state, command line. */
function processTree(root: number): string[] {
  const rows = processRows();
  const lines: string[] = [];
  const walk = (pid: number, depth: number) => {
    const row = rows.find((r) => r.pid === pid);
    if (!row) return;
    lines.push(`${'  '.repeat(depth)}${row.pid} ${row.state} ${row.cmd.join(' ').slice(0, 160)}`);
    for (const child of rows.filter((r) => r.ppid === pid)) walk(child.pid, depth + 1);
  };
  walk(root, 0);
  return lines;
}

/** What each pane of the crew's tmux server shows now (the screen, not the log's bytes). */
function screens(socket: string): string[] {
  const list = spawnSync('tmux', ['-L', socket, 'list-panes', '-a', '-F', '#{pane_id} #{@muster_agent}'], { encoding: 'utf8', timeout: 5_000 });
  if (list.status !== 0) return [];
  return list.stdout
    .split('\n')
    .filter((l) => /^%\d+ \S/.test(l))
    .map((l) => {
      const [pane = '', agent = ''] = l.split(' ');
      const shot = spawnSync('tmux', ['-L', socket, 'capture-pane', '-p', '-t', pane], { encoding: 'utf8', timeout: 5_000 });
      return `--- screen of ${agent} (${pane})\n${tail(shot.stdout.trimEnd(), 25)}`;
    });
}

function describeProject(p: { dir: string; socket: string; outputs(): string[]; pids(): Array<number | null> }): string {
  const parts = [`=== project ${p.dir}`];
  p.outputs().forEach((out, i) => parts.push(`--- headless supervisor ${i + 1} output\n${tail(out, 40)}`));
  p.pids().forEach((pid, i) => {
    const tree = pid ? processTree(pid) : [];
    if (tree.length > 0) parts.push(`--- headless supervisor ${i + 1} still running:\n${tree.join('\n')}`);
  });
  const events = path.join(p.dir, '.muster/events.jsonl');
  if (fs.existsSync(events)) parts.push(`--- events.jsonl (tail)\n${tail(fs.readFileSync(events, 'utf8'), 40)}`);
  for (const log of listLogs(path.join(p.dir, '.muster/logs'))) {
    parts.push(`--- ${path.relative(p.dir, log)} (tail)\n${tail(fs.readFileSync(log, 'utf8'), 15)}`);
  }
  parts.push(...screens(p.socket));
  return parts.join('\n');
}

function reportLiveProjects(): void {
  for (const p of liveProjects()) {
    try {
      console.error(describeProject(p));
    } catch (err) {
      console.error(`could not describe ${p.dir}: ${String(err)}`);
    }
  }
}

// A wait that times out reports at once: in a beforeAll there is no afterEach to do it.
let reportedByWait = false;
reportTimeoutsWith(() => {
  reportedByWait = true;
  reportLiveProjects();
});

afterEach((ctx) => {
  const already = reportedByWait;
  reportedByWait = false;
  if (ctx.task.result?.state !== 'fail' || already) return;
  reportLiveProjects();
});
