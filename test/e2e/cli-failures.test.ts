/**
 * Every command, run where things are wrong — a project that is missing, a ledger that is
 * corrupt, a supervisor that died (kill -9, its crew still in tmux), a disk that is full (a
 * small tmpfs the test mounts on `.muster/`) — fails (or works) with what and where on one
 * line, then a hint, and the right exit code: never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, waitFor, type TestProject } from '../helpers/project.js';

const TEAM = 'name: t\nagents:\n  a: { run: exec sleep 600 }\n  b: { run: exec sleep 600 }\n';

/** Every command, with the arguments a user would give. */
const COMMANDS: string[][] = [
  ['up'],
  ['up', '--headless'],
  ['status'],
  ['status', '--json'],
  ['validate'],
  ['stop', 'a'],
  ['restart', 'a'],
  ['pause', 'a'],
  ['resume', 'a'],
  ['send', 'a', 'hello'],
  ['attach', 'a'],
  ['logs', 'a'],
  ['explain', 'a'],
  ['wait', 'a', '--until', 'idle', '--timeout', '2s'],
  ['worktrees'],
  ['worktrees', '--json'],
  ['diff', 'a'],
  ['land', 'a'],
  ['discard', 'a'],
  ['report'],
  ['report', '--json'],
  ['checkin', 'progress'],
  ['handoff', 'b', 'over to you'],
  ['done', 'finished'],
  ['down'],
  ['cleanup', '--yes'],
];

const projects: TestProject[] = [];
let mountedOn: string | null = null;

let fullDisk: TestProject | null = null;

afterAll(async () => {
  // the crew on the full disk goes first: then nothing holds the tmpfs and it can go
  if (fullDisk) await fullDisk.muster(['cleanup', '--yes']).catch(() => undefined);
  if (mountedOn) await waitFor('the tmpfs unmounted', () => spawnSync('umount', [mountedOn as string]).status === 0, 60_000, 200);
  for (const p of projects) await p.destroy();
}, 300_000);

/**
 * Runs every command and checks its output: exit 0, or exit 1/2 with stderr made of lines
 * of what and where (`muster: …` or `FILE:LINE:COL: …`) and one `hint:` line last.
 */
async function everyCommand(p: TestProject, commands: string[][], opts: { dir?: string } = {}) {
  const env = { MUSTER_AGENT: 't/a', MUSTER_DIR: opts.dir ? path.join(opts.dir, '.muster') : path.join(p.dir, '.muster'), MUSTER_DEBUG: undefined };
  const bad: string[] = [];
  const seen: Array<{ cmd: string; code: number; stderr: string }> = [];
  for (const args of commands) {
    const full = opts.dir ? ['-C', opts.dir, ...args] : args;
    const r = await p.muster(full, { env, timeoutMs: 90_000, noDir: opts.dir !== undefined });
    const cmd = args.join(' ');
    seen.push({ cmd, code: r.code, stderr: r.stderr });
    const lines = r.stderr.trimEnd().split('\n').filter((l) => l !== '');
    if (/\n\s+at |\bat .*\.js:\d+:\d+/.test(r.stderr)) bad.push(`${cmd}: a stack trace:\n${r.stderr}`);
    else if (![0, 1, 2].includes(r.code)) bad.push(`${cmd}: exit ${r.code}`);
    else if (r.code !== 0) {
      const hint = lines.at(-1) ?? '';
      const what = lines.slice(0, -1);
      if (!hint.startsWith('hint: ')) bad.push(`${cmd}: the last line is not a hint:\n${r.stderr}`);
      else if (what.length === 0 || !what.every((l) => /^(muster: |\S+:\d+:\d+: |  - )/.test(l))) bad.push(`${cmd}: not what-and-where lines:\n${r.stderr}`);
      else if (/unexpected failure/.test(r.stderr)) bad.push(`${cmd}: an unexpected failure:\n${r.stderr}`);
    }
  }
  return { bad, seen };
}

describe('every command, where things are wrong', () => {
  it('a project folder that does not exist: exit 2, one line', { timeout: 300_000 }, async () => {
    const p = makeProject('clifail-missing');
    projects.push(p);
    const gone = path.join(p.dir, 'no-such-project');
    const { bad, seen } = await everyCommand(p, COMMANDS, { dir: gone });
    expect(bad).toEqual([]);
    for (const s of seen) {
      expect(s.code, s.cmd).toBe(2);
      expect(s.stderr, s.cmd).toMatch(/^muster: project directory .*no-such-project does not exist\nhint: /);
    }
  });

  it('a folder with no team files: exit 2 with FILE:LINE:COL where files are read', { timeout: 300_000 }, async () => {
    const p = makeProject('clifail-empty');
    projects.push(p);
    const { bad, seen } = await everyCommand(p, COMMANDS);
    expect(bad).toEqual([]);
    expect(seen.find((s) => s.cmd === 'validate')?.stderr).toMatch(/^muster\.yaml:1:1: no team files/);
    expect(seen.find((s) => s.cmd === 'up --headless')?.code).toBe(2);
  });

  it.each([
    ['torn JSON', '{"version": 1, "crew": {"agents": {', /is not valid JSON/],
    ['an empty object', '{}', /has no ledger format version/],
  ])('a corrupt ledger (%s): one line naming state.json and what to do', { timeout: 300_000 }, async (_name, text, why) => {
    const p = makeProject('clifail-corrupt');
    projects.push(p);
    p.write('teams/t.yaml', TEAM);
    p.write('.muster/state.json', text);
    const { bad, seen } = await everyCommand(p, COMMANDS);
    expect(bad).toEqual([]);
    for (const cmd of ['up', 'up --headless', 'report']) {
      const s = seen.find((x) => x.cmd === cmd);
      expect(s?.code, cmd).toBe(2);
      expect(s?.stderr, cmd).toMatch(/^(muster: warning: .*\n)?muster: .*\.muster\/state\.json /);
      expect(s?.stderr, cmd).toMatch(why);
    }
  });

  it('a supervisor killed with kill -9, its crew still running', { timeout: 300_000 }, async () => {
    const p = makeProject('clifail-dead');
    projects.push(p);
    p.write('teams/t.yaml', TEAM);
    const sup = p.headless();
    await waitFor('the crew running', async () => {
      const s = await p.status();
      return s.supervisor.running && s.agents.every((a) => a.state === 'running');
    });
    sup.child.kill('SIGKILL');
    await sup.exited;
    // `up` would start a new supervisor: everything else, with down and cleanup last
    const { bad, seen } = await everyCommand(p, COMMANDS.filter((c) => c[0] !== 'up'));
    expect(bad).toEqual([]);
    expect(seen.find((s) => s.cmd === 'status')?.code).toBe(0);
    expect(seen.find((s) => s.cmd === 'stop a')?.stderr).toMatch(/^muster: .*supervisor/);
  });

  it('a full disk under the state folder', { timeout: 300_000 }, async () => {
    const p = makeProject('clifail-full');
    projects.push(p);
    fullDisk = p;
    p.write('teams/t.yaml', TEAM);
    const stateDir = path.join(p.dir, '.muster');
    fs.mkdirSync(stateDir, { mode: 0o700 });
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', stateDir], { encoding: 'utf8' });
    if (m.status !== 0) throw new Error(`cannot mount a tmpfs on ${stateDir} (root is needed): ${m.stderr || m.error?.message}`);
    mountedOn = stateDir;
    // the filler is private, as everything in the state folder is (else `up` tightens it first, and says so)
    const dd = spawnSync('/bin/sh', ['-c', `umask 077; exec dd if=/dev/zero of=${path.join(stateDir, 'filler')} bs=64k`], { encoding: 'utf8' });
    expect(dd.stderr).toMatch(/No space left on device/);
    const { bad, seen } = await everyCommand(p, COMMANDS);
    expect(bad).toEqual([]);
    for (const cmd of ['up', 'up --headless', 'report', 'checkin progress', 'handoff b over to you', 'done finished']) {
      const s = seen.find((x) => x.cmd === cmd);
      expect(s?.code, cmd).toBe(1);
      expect(s?.stderr, cmd).toMatch(/^muster: no space left on the device to write .*\.muster\/.*\nhint: Free some disk space/);
    }
    fs.rmSync(path.join(stateDir, 'filler'));
  });
});
