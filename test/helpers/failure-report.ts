/**
 * Setup file: when a test fails, print what the projects it used left behind (each
 * headless supervisor's output, the tail of the event log, the tail of every agent log),
 * so a failure on a slow or busy machine can be understood from the CI output alone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach } from 'vitest';
import { liveProjects } from './project.js';

const tail = (text: string, lines: number) => text.split('\n').slice(-lines).join('\n');

function listLogs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.log')).map((f) => path.join(dir, f));
}

function describeProject(p: { dir: string; outputs(): string[] }): string {
  const parts = [`=== project ${p.dir}`];
  p.outputs().forEach((out, i) => parts.push(`--- headless supervisor ${i + 1} output\n${tail(out, 40)}`));
  const events = path.join(p.dir, '.muster/events.jsonl');
  if (fs.existsSync(events)) parts.push(`--- events.jsonl (tail)\n${tail(fs.readFileSync(events, 'utf8'), 40)}`);
  for (const log of listLogs(path.join(p.dir, '.muster/logs'))) {
    parts.push(`--- ${path.relative(p.dir, log)} (tail)\n${tail(fs.readFileSync(log, 'utf8'), 15)}`);
  }
  return parts.join('\n');
}

afterEach((ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  for (const p of liveProjects()) {
    try {
      console.error(describeProject(p));
    } catch (err) {
      console.error(`could not describe ${p.dir}: ${String(err)}`);
    }
  }
});
