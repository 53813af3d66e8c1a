/**
 * The inbox is durable and taken exactly once: a check-in written while no supervisor
 * runs is picked up by the next one, and a kill -9 of the supervisor in the middle of a
 * burst of check-ins loses none and counts none twice.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRecordId, writeRecord } from '../../src/inbox/inbox-writer.js';
import { makeProject, waitFor, type TestProject } from '../helpers/project.js';

let p: TestProject;

beforeAll(() => {
  p = makeProject('inbox');
  p.write('teams/t.yaml', 'name: t\nagents:\n  a:\n    run: exec sleep 600\n    checkin: { every: 1h }\n');
});

afterAll(async () => {
  await p.destroy();
});

const inboxDir = () => path.join(p.dir, '.muster/inbox');
const checkinEvents = () => {
  const f = path.join(p.dir, '.muster/events.jsonl');
  if (!fs.existsSync(f)) return [] as string[];
  return fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; message: string })
    .filter((e) => e.kind === 'checkin')
    .map((e) => e.message.replace(/^checked in: /, ''));
};

describe('the inbox', () => {
  it('a check-in written while no supervisor runs is picked up by the next one', async () => {
    const r = await p.muster(['checkin', 'wrote the schema'], { env: { MUSTER_AGENT: 't/a', MUSTER_DIR: path.join(p.dir, '.muster') } });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(inboxDir()).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    const sup = p.headless();
    const s = await waitFor('the check-in in status', async () => {
      const st = (await p.status()) as unknown as { agents: { checkin: { message: string | null; last: string | null } }[] };
      return st.agents[0]?.checkin.message === 'wrote the schema' ? st : null;
    });
    expect(s.agents[0]?.checkin.last).not.toBeNull();
    await waitFor('the record removed', () => fs.readdirSync(inboxDir()).filter((f) => f.endsWith('.json')).length === 0);
    sup.child.kill('SIGKILL');
    await sup.exited;
  });

  it('event lines of a step saved just before a crash are appended by the next supervisor', () => {
    // As if killed right after the snapshot of a step and before its event lines went out.
    const stateFile = path.join(p.dir, '.muster/state.json');
    const saved = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { journal: { fromSeq: number; notices: unknown[] } };
    const eventsFile = path.join(p.dir, '.muster/events.jsonl');
    const lastSeq = fs.readFileSync(eventsFile, 'utf8').trim().split('\n').length;
    saved.journal = { fromSeq: lastSeq + 1, notices: [{ time: new Date().toISOString(), level: 'info', agent: 't/a', kind: 'checkin', message: 'checked in: lost in a crash' }] };
    fs.writeFileSync(stateFile, JSON.stringify(saved));
    return (async () => {
      const sup = p.headless();
      await waitFor('the lost line appended', () => checkinEvents().includes('lost in a crash'));
      expect(checkinEvents().filter((m) => m === 'lost in a crash')).toHaveLength(1);
      sup.child.kill('SIGKILL');
      await sup.exited;
    })();
  });

  it('kill -9 in the middle of a burst loses no check-in and counts none twice', async () => {
    const first = p.headless();
    await waitFor('supervisor', async () => (await p.status()).supervisor.running);
    const N = 150;
    for (let i = 0; i < N; i++) {
      writeRecord(inboxDir(), { v: 1, id: newRecordId(Date.now() + i), kind: 'checkin', agent: 't/a', message: `burst ${i}`, to: null, file: null, at: Date.now() });
    }
    await waitFor('some taken', () => checkinEvents().filter((m) => m.startsWith('burst')).length >= 10, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const takenBefore = checkinEvents().filter((m) => m.startsWith('burst')).length;
    p.headless(); // the next supervisor (a timeout prints its output: test/helpers/failure-report.ts)
    await waitFor('all taken', () => checkinEvents().filter((m) => m.startsWith('burst')).length >= N, 120_000);
    await waitFor('inbox empty', () => fs.readdirSync(inboxDir()).filter((f) => f.endsWith('.json')).length === 0, 30_000);
    const burst = checkinEvents().filter((m) => m.startsWith('burst'));
    expect(new Set(burst).size).toBe(N);
    expect(burst).toHaveLength(N);
    expect(takenBefore).toBeLessThan(N); // the kill really fell in the middle
  }, 180_000);
});
