/**
 * `muster stop` reports what is true: an agent shows `stopping` while its processes are
 * being ended and `stopped` only once they are gone; a process that survives SIGKILL is
 * reported as such (the agent's state, an error event, exit code 1 of `muster stop`).
 *
 * The survivor is real: a process frozen by the cgroup v1 freezer keeps a SIGKILL pending
 * until it is thawed (this test makes its own freezer group, as root, and thaws it after).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOf, makeProject, waitFor, type Headless, type TestProject } from '../helpers/project.js';
import { sessionMembers } from '../helpers/proc.js';
import { alive } from '../helpers/tmux.js';

const FREEZER = '/sys/fs/cgroup/freezer';

let p: TestProject;
let sup: Headless;
const frozenGroup = path.join(FREEZER, `muster-test-stop-${process.pid}`);

beforeAll(async () => {
  p = makeProject('stop');
  p.write('muster.yaml', 'pulse: 500ms\n');
  p.write(
    'teams/t.yaml',
    `name: t
agents:
  stubborn:
    # ignores Ctrl-C and TERM: only KILL ends it, a few seconds into the stop
    run: trap '' INT TERM; exec sleep 600
  frozen:
    run: exec sleep 600
`,
  );
  // no cgroups of muster's own: the test's freezer group is the only one the process is in
  sup = p.headless([], { MUSTER_CGROUPS: 'off' });
  await waitFor('both running', async () => {
    const s = await p.status();
    return agentOf(s, 't/stubborn').state === 'running' && agentOf(s, 't/frozen').state === 'running';
  });
});

afterAll(async () => {
  if (fs.existsSync(frozenGroup)) {
    fs.writeFileSync(path.join(frozenGroup, 'freezer.state'), 'THAWED');
    await waitFor('the frozen group empty', () => fs.readFileSync(path.join(frozenGroup, 'cgroup.procs'), 'utf8').trim() === '', 10_000);
    fs.rmdirSync(frozenGroup);
  }
  await p.destroy();
});

describe('muster stop', () => {
  it('shows stopping while the processes are being ended, and stopped only once they are gone', async () => {
    const before = agentOf(await p.status(), 't/stubborn');
    const members = sessionMembers(before.pid as number);
    expect(members.length).toBeGreaterThan(0);
    let finished = false;
    const stop = p.muster(['stop', 'stubborn']).finally(() => (finished = true));
    // Every status read during the stop: `stopped` must never be said while a process lives.
    let reads = 0;
    while (!finished) {
      const a = agentOf(await p.status(), 't/stubborn');
      reads++;
      if (a.state === 'stopped') expect(members.filter(alive), 'processes alive while status says stopped').toEqual([]);
      else expect(a.state).toMatch(/^(running|stopping)$/);
    }
    expect(reads).toBeGreaterThan(0);
    expect(sup.output()).toMatch(/t\/stubborn\s+stopping: interrupt, then TERM, then KILL\n(.*\n)*.*t\/stubborn\s+stopped\n/);
    const r = await stop;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('muster: stopped t/stubborn');
    expect(members.filter(alive)).toEqual([]);
    const after = agentOf(await p.status(), 't/stubborn');
    expect([after.state, after.reason, after.pid]).toEqual(['stopped', 'user', null]);
  });

  it('a process that survives SIGKILL is reported: state, event, and exit code 1', async () => {
    expect(fs.existsSync(FREEZER), 'this test needs the cgroup v1 freezer (as root)').toBe(true);
    const pane = agentOf(await p.status(), 't/frozen').pid as number;
    const sleeper = await waitFor('the agent process below its pane shell', () => sessionMembers(pane).find((pid) => pid !== pane));
    fs.mkdirSync(frozenGroup);
    fs.writeFileSync(path.join(frozenGroup, 'cgroup.procs'), String(sleeper));
    fs.writeFileSync(path.join(frozenGroup, 'freezer.state'), 'FROZEN');
    await waitFor('frozen', () => fs.readFileSync(path.join(frozenGroup, 'freezer.state'), 'utf8').trim() === 'FROZEN');

    const r = await p.muster(['stop', 'frozen']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`muster: t/frozen: 1 process(es) survived SIGKILL: ${sleeper}`);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stdout).not.toContain('stopped t/frozen');
    expect(alive(sleeper)).toBe(true);
    const a = agentOf(await p.status(), 't/frozen');
    expect([a.state, a.reason]).toEqual(['stopped', 'survivors']);
    expect(sup.output()).toMatch(new RegExp(`t/frozen\\s+!! stopped, but 1 process\\(es\\) survived SIGKILL \\(pid ${sleeper}\\)`));
  });
});
