/**
 * Coordination with a real tmux server and stand-in agents (shell loops that echo each
 * line they read): check-in cadence with nudges and on_miss, handoffs that start and
 * reach their target, messages that wait for a busy agent, and refused records.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOf, makeProject, waitFor, type Headless, type TestProject } from '../helpers/project.js';

const ECHO = `while read l; do echo "got:$l"; done`;

let p: TestProject;
let sup: Headless;

const logOf = (agent: string) => {
  const f = path.join(p.dir, '.muster/logs/co', `${agent}.log`);
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
};

beforeAll(async () => {
  p = makeProject('coord');
  p.write('muster.yaml', 'pulse: 500ms\n');
  p.write(
    'teams/co.yaml',
    `name: co
defaults:
  preset: shell
agents:
  quiet:
    run: ${ECHO}
    # an echo loop shows no prompt: the shell preset takes it as idle after 4 × 1.5 s of quiet
    checkin: { every: 2s, grace: 12s, on_miss: stop, nudge: "please check in" }
  pm:
    run: sleep 1; $MUSTER_BIN handoff dev "build the login page" && exec sleep 600
  dev:
    after: [pm]
    run: ${ECHO}
  oneshot:
    # a one-shot step that fails its first attempt; the retry reads what the first one printed
    retries: 1
    restart: { backoff: 200ms }
    run: if [ "$MUSTER_ATTEMPT" = 1 ]; then echo first-try-output; exit 4; fi; cp "$MUSTER_PREVIOUS_OUTPUT" previous.txt; echo attempt-$MUSTER_ATTEMPT
  busy:
    # busy for 5 s after its first line, then an echo loop again
    run: read first; echo "first:$first"; for i in $(seq 1 20); do echo tick $i; sleep 0.25; done; echo ticks-over; ${ECHO}
`,
  );
  sup = p.headless();
  await waitFor('the supervisor', async () => (await p.status()).supervisor.running);
});

afterAll(async () => {
  await p.destroy();
});

describe('check-ins', () => {
  it('a silent agent becomes overdue, the nudge is typed and submitted, then on_miss acts', async () => {
    await waitFor('overdue', () => /co\/quiet\s+!\s+no check-in for \d+s: overdue, nudged/.test(sup.output()), 30_000);
    await waitFor('the nudge submitted', () => logOf('quiet').includes('got:please check in'), 30_000);
    const a = await waitFor('on_miss stop', async () => {
      const x = agentOf(await p.status(), 'co/quiet');
      return x.state === 'failed' ? x : null;
    }, 30_000);
    expect(a.reason).toBe('checkin');
    expect(sup.output()).toMatch(/co\/quiet\s+!! no check-in \d+s past due: stopped/);
  });
});

describe('handoffs', () => {
  it('a handoff starts the dependant, and is typed and submitted into it', async () => {
    const dev = await waitFor('dev running', async () => {
      const x = agentOf(await p.status(), 'co/dev');
      return x.state === 'running' ? x : null;
    }, 30_000);
    expect(dev.pid).not.toBeNull();
    await waitFor('the handoff typed into dev', () => logOf('dev').includes('got:Handoff from co/pm: build the login page'), 30_000);
    const s = (await p.status()) as unknown as { handoffs: { from: string; to: string; state: string; delivered: string | null }[] };
    expect(s.handoffs).toEqual([expect.objectContaining({ from: 'co/pm', to: 'co/dev', state: 'delivered', delivered: expect.any(String) })]);
  });

  it('a handoff to an unknown agent is refused by the command', async () => {
    const r = await p.muster(['handoff', 'nobody', 'x', '--file', '/etc/hostname'], {
      env: { MUSTER_AGENT: 'co/pm', MUSTER_DIR: path.join(p.dir, '.muster') },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('outside the project');
  });

  it('a record naming a file outside the project is refused by the supervisor', async () => {
    const inbox = path.join(p.dir, '.muster/inbox');
    const id = `${String(Date.now()).padStart(14, '0')}-1-bad`;
    // renamed into place whole, as every writer of records does
    const tmp = path.join(inbox, `${id}.json.${process.pid}.t.tmp`);
    fs.writeFileSync(tmp, JSON.stringify({ v: 1, id, kind: 'handoff', agent: 'co/pm', message: 'steal', to: 'dev', file: '/etc/passwd', at: Date.now() }));
    fs.renameSync(tmp, path.join(inbox, `${id}.json`));
    await waitFor('refused', () => /refused .*outside the project/.test(sup.output()), 20_000);
    expect(fs.existsSync(path.join(inbox, 'rejected', `${id}.json`))).toBe(true);
    expect(fs.existsSync(path.join(inbox, `${id}.json`))).toBe(false);
  });
});

describe('retries', () => {
  it('a one-shot agent is re-run after a non-zero exit, with MUSTER_ATTEMPT and the previous output', async () => {
    const a = await waitFor('oneshot done', async () => {
      const x = agentOf(await p.status(), 'co/oneshot');
      return x.state === 'done' ? x : null;
    }, 30_000);
    expect(a.exitCode).toBe(0);
    expect(fs.readFileSync(path.join(p.dir, 'previous.txt'), 'utf8')).toContain('first-try-output');
    expect(logOf('oneshot')).toContain('attempt-2');
    expect(sup.output()).toMatch(/co\/oneshot\s+!\s+exited with code 4; retry 1 of 1/);
  });
});

describe('typing into agents', () => {
  it('a message to a busy agent waits until it is idle, then is submitted', async () => {
    expect((await p.muster(['send', 'busy', 'go'], { timeoutMs: 120_000 })).code).toBe(0);
    await waitFor('busy ticking', () => logOf('busy').includes('tick 2'), 20_000);
    const r = await p.muster(['send', 'busy', 'hello there'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const log = await waitFor('hello typed', () => (logOf('busy').includes('got:hello there') ? logOf('busy') : null), 30_000);
    expect(log.indexOf('got:hello there')).toBeGreaterThan(log.indexOf('ticks-over'));
  });
});
