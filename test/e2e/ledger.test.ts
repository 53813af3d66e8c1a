/**
 * The ledger across supervisor starts: handoffs (delivered and pending) survive a kill -9
 * and a restart of the supervisor, `status` without a supervisor shows them, and a pending
 * one still reaches its target; a `state.json` muster cannot read is refused with one line
 * and a hint, a copy kept, nothing started and no running agent touched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentOf, makeProject, waitFor, type TestProject } from '../helpers/project.js';
import { alive, serverAnswers } from '../helpers/tmux.js';

const ECHO = `while read l; do echo "got:$l"; done`;

interface HandoffJson {
  from: string;
  to: string;
  state: string;
  message: string;
}

const projects: TestProject[] = [];
afterAll(async () => {
  for (const p of projects) await p.destroy();
});

const handoffsOf = async (p: TestProject) => ((await p.status()) as unknown as { handoffs: HandoffJson[] }).handoffs;
const stateFile = (p: TestProject) => path.join(p.dir, '.muster/state.json');
const logOf = (p: TestProject, agent: string) => {
  const f = path.join(p.dir, '.muster/logs/ho', `${agent}.log`);
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
};

describe('handoffs across supervisor starts', () => {
  it('delivered and pending handoffs survive a kill -9 and a new supervisor; the pending one is still delivered', async () => {
    const p = makeProject('ledger-ho');
    projects.push(p);
    p.write('muster.yaml', 'pulse: 500ms\n');
    p.write(
      'teams/ho.yaml',
      `name: ho
defaults:
  preset: shell
agents:
  pm:
    run: sleep 1; $MUSTER_BIN handoff dev "build it" && $MUSTER_BIN handoff late "later work" && exec sleep 600
  dev:
    after: [pm]
    run: ${ECHO}
  gate:
    # ends once the test says so
    run: while [ ! -f go ]; do sleep 0.2; done
  late:
    # waits for gate as well: not started while the first supervisor runs
    after: [gate]
    run: echo "env:$MUSTER_HANDOFF"; ${ECHO}
`,
    );
    const first = p.headless();
    await waitFor('the handoff to dev delivered, the one to late pending', async () => {
      const hs = await handoffsOf(p);
      return hs.some((h) => h.to === 'ho/dev' && h.state === 'delivered') && hs.some((h) => h.to === 'ho/late' && h.state === 'pending');
    }, 40_000);
    const pid = (await p.status()).supervisor.pid as number;
    first.child.kill('SIGKILL');
    await first.exited;
    expect(alive(pid)).toBe(false);

    const expected = [
      expect.objectContaining({ from: 'ho/pm', to: 'ho/dev', state: 'delivered', message: 'build it' }),
      expect.objectContaining({ from: 'ho/pm', to: 'ho/late', state: 'pending', message: 'later work' }),
    ];
    const offline = await p.status();
    expect(offline.supervisor.running).toBe(false);
    expect((offline as unknown as { handoffs: HandoffJson[] }).handoffs).toEqual(expected);

    const second = p.headless();
    await waitFor('the new supervisor', async () => {
      const s = await p.status();
      return s.supervisor.running && s.supervisor.pid !== pid;
    });
    expect(await handoffsOf(p)).toEqual(expected);
    const saved = JSON.parse(fs.readFileSync(stateFile(p), 'utf8')) as { crew: { handoffs: HandoffJson[] } };
    expect(saved.crew.handoffs).toEqual(expected);
    expect(agentOf(await p.status(), 'ho/late').state).toBe('pending');

    fs.writeFileSync(path.join(p.dir, 'go'), '');
    await waitFor('the pending handoff delivered to late', async () => (await handoffsOf(p)).find((h) => h.to === 'ho/late')?.state === 'delivered', 40_000);
    expect(logOf(p, 'late')).toContain('env:from ho/pm: later work');
    expect(logOf(p, 'late')).toContain('got:Handoff from ho/pm: later work');
    expect(second.output()).not.toMatch(/ho\/dev\s+started/);
  }, 180_000);
});

describe('a ledger muster cannot read', () => {
  const bad: [string, string][] = [
    ['an empty object', '{}\n'],
    ['another format version', '{"version":99,"savedAt":"2020-01-01T00:00:00.000Z","crew":{"agents":{}}}\n'],
    ['garbage', 'this is not json {\n'],
    ['a crew of the wrong shape', '{"version":2,"crew":{"agents":{"t/a":{"status":{"state":"flying"}}}}}\n'],
  ];

  it.each(bad)('%s: up refuses with one line and a hint, keeps a copy, starts nothing', async (_name, text) => {
    const p = makeProject('ledger-bad');
    projects.push(p);
    p.write('teams/t.yaml', 'name: t\nagents:\n  a:\n    run: exec sleep 600\n');
    // as muster leaves its state folder: private (a wider one would add a warning line)
    fs.chmodSync(path.dirname(p.write('.muster/state.json', text)), 0o700);
    fs.chmodSync(stateFile(p), 0o600);
    for (const args of [['up', '--headless'], ['up']]) {
      const r = await p.muster(args);
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(new RegExp(`^muster: ${stateFile(p).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
      expect(lines[1]).toMatch(/^hint: A copy is kept at .*state\.json\.bad-.*Move .* away and run muster again/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const copy = /A copy is kept at (\S+)\. /.exec(lines[1] as string)?.[1] as string;
      expect(fs.readFileSync(copy, 'utf8')).toBe(text);
      expect(fs.readFileSync(stateFile(p), 'utf8')).toBe(text);
      expect(await serverAnswers(p.socket)).toBe(false);
    }
    // refused twice, kept once: copies of the same bytes do not pile up
    expect(fs.readdirSync(path.dirname(stateFile(p))).filter((n) => n.startsWith('state.json.bad-'))).toHaveLength(1);
  });

  it('never restarts running agents: a bad ledger under a running crew is refused and the agent keeps running', async () => {
    const p = makeProject('ledger-live');
    projects.push(p);
    p.write('teams/t.yaml', 'name: t\nagents:\n  a:\n    run: exec sleep 600\n');
    const first = p.headless();
    const running = await waitFor('a running', async () => {
      const a = agentOf(await p.status(), 't/a');
      return a.state === 'running' ? a : null;
    });
    first.child.kill('SIGKILL');
    await first.exited;
    fs.writeFileSync(stateFile(p), '{}\n');
    const r = await p.muster(['up', '--headless']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/state\.json has no ledger format version/);
    expect(alive(running.pid as number)).toBe(true);
    const s = await p.muster(['status', '--json']);
    expect(s.code).toBe(2);
    expect(s.stderr).not.toMatch(/\n\s+at /);
  });
});
