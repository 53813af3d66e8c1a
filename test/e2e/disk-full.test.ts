/**
 * A full disk under the state folder (a small tmpfs the test mounts on `.muster/`): the
 * supervisor keeps running and keeps the agents running, reports `disk full` as an event
 * and in `status`, `muster checkin` fails with one line; once space is back the state is
 * saved whole, the event log has every line once, and the agents' logs carry on.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOf, makeProject, waitFor, type Headless, type StatusJson, type TestProject } from '../helpers/project.js';

type DiskStatus = StatusJson & { disk?: { full: boolean; since: string | null; file: string | null; pendingEvents: number } };

let p: TestProject;
let sup: Headless;
let stateDir = '';
let mounted = false;
const pidsBefore = new Map<string, number | null>();

const status = async () => (await p.status()) as DiskStatus;
const filler = () => path.join(stateDir, 'filler');
const maxTick = () => {
  const log = path.join(stateDir, 'logs/df/ticker.log');
  const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
  return Math.max(0, ...[...text.matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));
};

beforeAll(async () => {
  p = makeProject('diskfull');
  stateDir = path.join(p.dir, '.muster');
  fs.mkdirSync(stateDir, { mode: 0o700 });
  // The test needs a file system it can fill: it fails here, loudly, when it cannot mount one.
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', stateDir], { encoding: 'utf8' });
  if (m.status !== 0) throw new Error(`cannot mount a 2 MiB tmpfs on ${stateDir} (root is needed): ${m.stderr || m.error?.message}`);
  mounted = true;
  p.write('muster.yaml', 'pulse: 500ms\n');
  p.write(
    'teams/df.yaml',
    `name: df
defaults:
  logs: { max: 64KiB, keep: 1 }
agents:
  steady:
    run: exec sleep 600
  ticker:
    run: i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done
  flappy:
    # ends every second and is restarted: the state changes (and is saved) all the time
    restart: { policy: always, backoff: 300ms, max_backoff: 300ms, max: 1000 }
    run: sleep 1; exit 1
`,
  );
  sup = p.headless();
  await waitFor('the crew running', async () => {
    const s = await status();
    return s.supervisor.running && agentOf(s, 'df/steady').state === 'running' && agentOf(s, 'df/ticker').state === 'running';
  });
  const s = await status();
  for (const id of ['df/steady', 'df/ticker']) pidsBefore.set(id, agentOf(s, id).pid);
  pidsBefore.set('supervisor', s.supervisor.pid);
}, 180_000);

afterAll(async () => {
  if (fs.existsSync(filler())) fs.rmSync(filler(), { force: true });
  await p.muster(['cleanup', '--yes']).catch(() => undefined);
  if (mounted) {
    // the crew's processes (and their log writers) are gone: the file system is free to go
    await waitFor('the tmpfs unmounted', () => spawnSync('umount', [stateDir]).status === 0, 60_000, 200);
  }
  await p.destroy();
}, 300_000);

describe('a full disk', () => {
  it('does not stop the supervisor or the agents; it is an event and a status field', async () => {
    // fill the file system to the last byte
    const dd = spawnSync('/bin/sh', ['-c', `umask 077; exec dd if=/dev/zero of=${filler()} bs=64k`], { encoding: 'utf8' });
    expect(dd.stderr).toMatch(/No space left on device/);
    await waitFor('the disk-full event', () => /!! disk full: cannot write .*\.muster/.test(sup.output()), 30_000);
    const s = await status();
    expect(s.disk).toMatchObject({ full: true, since: expect.any(String) });
    // a few restarts of flappy while full: state keeps changing in memory
    const restarts = agentOf(s, 'df/flappy').restarts;
    await waitFor('flappy restarted while the disk is full', async () => agentOf(await status(), 'df/flappy').restarts >= restarts + 2, 30_000);
    const later = await status();
    expect(later.supervisor).toMatchObject({ running: true, pid: pidsBefore.get('supervisor') });
    for (const id of ['df/steady', 'df/ticker']) {
      expect(agentOf(later, id)).toMatchObject({ state: 'running', pid: pidsBefore.get(id) });
    }
    expect(sup.child.exitCode).toBeNull();
    const table = await p.muster(['status']);
    expect(table.stdout).toMatch(/^disk: FULL since /m);
    // `muster up` finds the running supervisor (and would open the TUI on it)
    const up = await p.muster(['up']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/the supervisor already runs/);
  });

  it('muster checkin on the full disk fails with one line and a hint, no stack', async () => {
    const r = await p.muster(['checkin', 'progress'], { env: { MUSTER_AGENT: 'df/steady', MUSTER_DIR: stateDir } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^muster: no space left on the device to write .*\/inbox\/.*\.json\nhint: Free some disk space.*\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(path.join(stateDir, 'inbox')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('once space is back: saved whole, every event line once, and the logs carry on', async () => {
    const ticksWhileFull = maxTick();
    fs.rmSync(filler());
    await waitFor('the disk-ok event', () => /disk space is back: the state is saved/.test(sup.output()), 30_000);
    await waitFor('status without disk full', async () => (await status()).disk?.full === false);
    // the agents' logs are written again
    await waitFor('new ticks in the log', () => maxTick() > ticksWhileFull + 5, 30_000);

    // the snapshot is whole and current; no temporary file is left
    const saved = JSON.parse(fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8')) as { crew: { agents: Record<string, { restarts: number }> } };
    const now = await status();
    expect(saved.crew.agents['df/flappy']?.restarts).toBeGreaterThanOrEqual(agentOf(now, 'df/flappy').restarts - 2);
    expect(fs.readdirSync(stateDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // every line parses, seq runs 1, 2, 3… with no gap and no repeat; both events are there
    const lines = fs.readFileSync(path.join(stateDir, 'events.jsonl'), 'utf8').trimEnd().split('\n');
    const events = lines.map((l) => JSON.parse(l) as { seq: number; kind: string });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const kinds = events.map((e) => e.kind);
    expect(kinds).toContain('disk-full');
    expect(kinds.indexOf('disk-ok')).toBeGreaterThan(kinds.indexOf('disk-full'));

    const s = await status();
    expect(s.supervisor.pid).toBe(pidsBefore.get('supervisor'));
    for (const id of ['df/steady', 'df/ticker']) expect(agentOf(s, id).pid).toBe(pidsBefore.get(id));
    // and a check-in is taken again
    const r = await p.muster(['checkin', 'space is back'], { env: { MUSTER_AGENT: 'df/steady', MUSTER_DIR: stateDir } });
    expect(r.code).toBe(0);
    await waitFor('the check-in taken', () => /df\/steady\s+checked in: space is back/.test(sup.output()));
  });
});
