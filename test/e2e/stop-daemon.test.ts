/**
 * A single-agent stop ends what the agent daemonised (README, "Commands": `muster stop`): a
 * stand-in for Codex's `codex app-server`, which double-forks and calls setsid so that it
 * is neither in the pane's tree nor in its session, is found by the MUSTER_DIR and
 * MUSTER_AGENT it inherited and ended with its agent. Another agent's daemon, and a process
 * naming the same agent of another project, are left alone. Without cgroups (so that only
 * the environment can prove membership) and, once more, with them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentOf, makeProject, waitFor, type TestProject } from '../helpers/project.js';
import { statFields } from '../helpers/proc.js';
import { alive } from '../helpers/tmux.js';

// the daemon: a subshell forks setsid in the background and exits (double fork), setsid
// starts a new session; it reports its pid and then waits
const DAEMON = `( setsid sh -c 'echo $$ > "$0"; exec sleep 600' "$PWD/$NAME.daemon.pid" & ); exec sleep 600`;

const projects: TestProject[] = [];
const strays: ChildProcess[] = [];

afterAll(async () => {
  for (const c of strays) c.kill('SIGKILL');
  for (const p of projects) await p.destroy();
}, 180_000);

const readPid = (p: TestProject, name: string) => waitFor(`${name}'s daemon pid`, () => {
  const file = path.join(p.dir, `${name}.daemon.pid`);
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  return text ? Number(text) : null;
});

describe.each([
  ['without cgroups', { MUSTER_CGROUPS: 'off' }],
  ['with cgroups where the machine has them', {}],
])('muster stop AGENT %s', (label, env) => {
  it('ends the agent’s double-forked, setsid daemon and nothing else', async () => {
    const p = makeProject(`stop-daemon-${label.split(' ')[0]}`);
    projects.push(p);
    p.write('muster.yaml', 'pulse: 500ms\n');
    p.write('teams/t.yaml', `name: t\nagents:\n  cx:\n    env: { NAME: cx }\n    run: ${JSON.stringify(DAEMON)}\n  other:\n    env: { NAME: other }\n    run: ${JSON.stringify(DAEMON)}\n`);
    p.headless([], env);
    await waitFor('both running', async () => {
      const s = await p.status();
      return agentOf(s, 't/cx').state === 'running' && agentOf(s, 't/other').state === 'running';
    }, 60_000);
    const daemon = await readPid(p, 'cx');
    const otherDaemon = await readPid(p, 'other');
    const pane = agentOf(await p.status(), 't/cx').pid as number;
    // really out of the pane's tree and session
    const fields = statFields(daemon) as string[];
    expect(Number(fields[1])).not.toBe(pane); // ppid
    expect(Number(fields[3])).toBe(daemon); // its own session
    // the same agent's name in another project: not this crew's
    const stray = spawn('sleep', ['600'], { env: { ...process.env, MUSTER_AGENT: 't/cx', MUSTER_DIR: path.join(p.dir, 'elsewhere', '.muster') }, stdio: 'ignore' });
    strays.push(stray);

    const r = await p.muster(['stop', 'cx']);
    expect(r.code, r.stderr).toBe(0);
    await waitFor('the daemon gone', () => !alive(daemon), 20_000);
    expect(alive(otherDaemon)).toBe(true);
    expect(alive(stray.pid as number)).toBe(true);
    expect(agentOf(await p.status(), 't/other').state).toBe('running');
  }, 180_000);
});
