/**
 * A crew on a real tmux server, supervised by the real binary: windows and panes per
 * layout, restart with backoff until the circuit opens, and `after` holding a dependant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOf, makeProject, waitFor, type Headless, type TestProject } from '../helpers/project.js';
import { tmuxOn } from '../helpers/tmux.js';

let p: TestProject;
let sup: Headless;

beforeAll(async () => {
  p = makeProject('life');
  p.write('layouts/pair.yaml', 'windows:\n  - name: Pair\n    layout: even-horizontal\n    panes: [first, later]\n');
  p.write(
    'teams/crew.yaml',
    `name: crew
layout: pair
agents:
  first:
    run: sleep 5; echo first-finished
  later:
    after: [first]
    run: echo later-ran-with-$MUSTER_AGENT; exec sleep 600
  flaky:
    run: echo failing; exit 3
    restart: { policy: on-failure, max: 2, within: 10m, backoff: 300ms, max_backoff: 1s }
  steady:
    run: env > steady.env; exec sleep 600
    env: { GREETING: hello }
`,
  );
  // as if started from inside the user's own tmux and Claude Code: none of it may reach the agents
  sup = p.headless([], { TMUX: '/tmp/tmux-0/default,1,0', TMUX_PANE: '%99', CLAUDECODE: '1' });
  await waitFor('the supervisor', async () => (await p.status()).supervisor.running);
});

afterAll(async () => {
  await p.destroy();
});

describe('a crew from YAML into tmux', () => {
  it('builds the windows and panes of the layout, one window for unplaced agents', async () => {
    const out = await waitFor('panes', async () => {
      const r = await tmuxOn(p.socket, ['list-panes', '-s', '-t', '=crew', '-F', '#{window_name} #{@muster_agent}']);
      return r.code === 0 && r.stdout.trim().split('\n').length === 4 ? r.stdout : null;
    });
    expect(out.trim().split('\n').sort()).toEqual(['Pair crew/first', 'Pair crew/later', 'flaky crew/flaky', 'steady crew/steady']);
  });

  it('holds a dependant as pending(after) until its dependency exits 0', async () => {
    // first sleeps 5 s: while it runs, later waits as pending(after)
    const early = await waitFor('first running', async () => {
      const st = await p.status();
      return agentOf(st, 'crew/first').state === 'running' ? st : null;
    });
    expect(agentOf(early, 'crew/later')).toMatchObject({ state: 'pending', reason: 'after', pid: null });
    const s = await waitFor('later to run', async () => {
      const st = await p.status();
      return agentOf(st, 'crew/later').state === 'running' ? st : null;
    });
    expect(agentOf(s, 'crew/first')).toMatchObject({ state: 'done', exitCode: 0 });
    const log = await waitFor('later output', async () => {
      const r = await p.muster(['logs', 'later']);
      return r.stdout.includes('later-ran-with-crew/later') ? r.stdout : null;
    });
    expect(log).toContain('later-ran-with-crew/later');
  });

  it('restarts an agent that exits non-zero with backoff, and opens the circuit after max', async () => {
    const s = await waitFor('the circuit to open', async () => {
      const st = await p.status();
      return agentOf(st, 'crew/flaky').state === 'failed' ? st : null;
    });
    expect(agentOf(s, 'crew/flaky')).toMatchObject({ state: 'failed', reason: 'circuit', restarts: 2, exitCode: 3 });
    expect(sup.output(), sup.output()).toMatch(/crew\/flaky\s+!\s+exited with code 3; restarting in 300ms/);
    expect(sup.output()).toMatch(/crew\/flaky\s+!\s+exited with code 3; restarting in 600ms/);
    expect(sup.output()).toMatch(/circuit open/);
  });

  it('passes MUSTER_* and the agent env into the pane, without TMUX', async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    const file = `${p.dir}/steady.env`;
    await waitFor('steady to write its environment', () => existsSync(file) && readFileSync(file, 'utf8').includes('MUSTER_AGENT'));
    const env = readFileSync(file, 'utf8').split('\n');
    expect(env).toContain('GREETING=hello');
    expect(env).toContain('MUSTER_AGENT=crew/steady');
    expect(env).toContain(`MUSTER_DIR=${p.dir}/.muster`);
    expect(env.some((v) => v.startsWith('MUSTER_BIN='))).toBe(true);
    expect(env.some((v) => v.startsWith('TMUX=') || v.startsWith('TMUX_PANE=') || v.startsWith('CLAUDECODE='))).toBe(false);
  });

  it('stop ends an agent for good; restart brings a fresh one with counters cleared', async () => {
    const before = await waitFor('steady pid', async () => agentOf(await p.status(), 'crew/steady').pid);
    const stop = await p.muster(['stop', 'steady']);
    expect(stop.code).toBe(0);
    const stopped = agentOf(await p.status(), 'crew/steady');
    expect(stopped.state).toBe('stopped');
    const { alive } = await import('../helpers/tmux.js');
    expect(alive(before)).toBe(false);

    expect((await p.muster(['restart', 'flaky'])).code).toBe(0);
    expect(sup.output()).toMatch(/crew\/flaky\s+reset: counters cleared/);
    // A fresh run: two more restarts with backoff from the start, then the circuit again.
    await waitFor('a second circuit', () => (sup.output().match(/!!\s+exited with code 3; [^\n]*circuit open/g) ?? []).length === 2);
    expect((sup.output().match(/crew\/flaky\s+!\s+exited with code 3; restarting in 300ms/g) ?? []).length).toBe(2);
    expect(agentOf(await p.status(), 'crew/flaky')).toMatchObject({ state: 'failed', reason: 'circuit', restarts: 2 });
  });
});
