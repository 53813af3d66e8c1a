/**
 * Check-ins that used to be lost: an agent with `checkin: off` that checks in all the same
 * (recorded and shown; only the overdue judgement is off), and `muster -C DIR checkin` with
 * MUSTER_AGENT set but not MUSTER_DIR (an agent started by hand, a hook in another folder).
 */
import * as os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, waitFor, type TestProject } from '../helpers/project.js';

interface CheckinJson {
  last: string | null;
  message: string | null;
  due: string | null;
  overdue: boolean;
  off: boolean;
}
type Status = { agents: { id: string; state: string; checkin: CheckinJson }[] };

let p: TestProject;

const checkinOf = async (id: string): Promise<CheckinJson | undefined> =>
  ((await p.status()) as unknown as Status).agents.find((a) => a.id === id)?.checkin;

beforeAll(async () => {
  p = makeProject('checkin-paths');
  p.write('muster.yaml', 'pulse: 500ms\n');
  p.write(
    'teams/ck.yaml',
    `name: ck
agents:
  talker:
    checkin: off
    run: $MUSTER_BIN checkin "talker up" && exec sleep 600
  hand:
    checkin: { every: 10m }
    run: exec sleep 600
`,
  );
  p.headless();
  await waitFor('the supervisor', async () => (await p.status()).supervisor.running);
}, 180_000);

afterAll(async () => {
  await p.destroy();
}, 180_000);

describe('check-ins', () => {
  it('an agent with checkin: off that checks in is recorded and shown, never overdue', async () => {
    const c = await waitFor('talker checked in', async () => {
      const x = await checkinOf('ck/talker');
      return x?.message === 'talker up' ? x : null;
    });
    expect(c).toMatchObject({ message: 'talker up', due: null, overdue: false, off: true });
    expect(c.last).not.toBeNull();
    const table = await p.muster(['status']);
    const row = table.stdout.split('\n').find((l) => l.startsWith('ck/talker'));
    expect(row).toMatch(/ago/);
    expect(row).not.toMatch(/\boff\b/);
  });

  it('muster -C DIR checkin with MUSTER_AGENT but no MUSTER_DIR is accepted and taken', async () => {
    const env = { MUSTER_AGENT: 'ck/hand', MUSTER_DIR: undefined };
    // run from another folder: the state folder comes from -C alone
    const r = await p.muster(['checkin', 'reported by a hook'], { env, cwd: os.tmpdir() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const c = await waitFor('hand checked in', async () => {
      const x = await checkinOf('ck/hand');
      return x?.message === 'reported by a hook' ? x : null;
    });
    expect(c.off).toBe(false);
    expect(c.due).not.toBeNull();
  });

  it('without -C and without MUSTER_DIR a check-in is refused with one line and a hint', async () => {
    const env = { MUSTER_AGENT: 'ck/hand', MUSTER_DIR: undefined };
    const r = await p.muster(['checkin', 'x'], { env, noDir: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^muster: checkin is run from inside an agent \(MUSTER_DIR is not set\)\nhint: .*-C DIR/);
  });
});
