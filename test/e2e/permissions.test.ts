/**
 * The state folder is private: under umask 000 a crew's `.muster/` is created 0700 and every
 * file in it 0600 (state, events, lock, socket, inbox, logs written by tmux, report,
 * retries' previous output); a throwaway unprivileged user can read none of it; a folder
 * left with wider modes is tightened, with a warning, when the supervisor starts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, makeProject, waitFor, type TestProject } from '../helpers/project.js';

const USER = `mprobe${randomBytes(4).toString('hex')}`;
let uid = -1;
let gid = -1;
let p: TestProject;
let old: TestProject;

const state = (...parts: string[]) => path.join(p.dir, '.muster', ...parts);

/** Every entry under a folder with its permission bits, the folder itself first. */
/** The mode every entry of the state folder must have: folders 0700, the agents' `muster` launcher 0700 (it is run), files 0600. */
const wantMode = (e: { rel: string; kind: string }) => (e.kind === 'dir' || e.rel === path.join('bin', 'muster') ? 0o700 : 0o600);

function modes(dir: string): Array<{ rel: string; kind: string; mode: number }> {
  const out: Array<{ rel: string; kind: string; mode: number }> = [];
  const walk = (abs: string, rel: string) => {
    const st = fs.lstatSync(abs);
    out.push({ rel, kind: st.isDirectory() ? 'dir' : st.isSocket() ? 'socket' : 'file', mode: st.mode & 0o777 });
    if (st.isDirectory()) for (const name of fs.readdirSync(abs)) walk(path.join(abs, name), path.join(rel, name));
  };
  walk(dir, '.');
  return out;
}

/** Runs a command as the throwaway user; true when it succeeded. */
function asUser(cmd: string, args: string[]): { ok: boolean; stderr: string } {
  const r = spawnSync(cmd, args, { uid, gid, encoding: 'utf8', timeout: 10_000, env: { PATH: '/usr/bin:/bin' } });
  return { ok: r.status === 0, stderr: r.stderr ?? '' };
}

beforeAll(async () => {
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
  uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
  gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim());

  p = makeProject('perms');
  fs.chmodSync(p.dir, 0o755); // only .muster's own modes may keep the other user out
  p.write('muster.yaml', 'pulse: 500ms\n');
  p.write(
    'teams/t.yaml',
    `name: t
agents:
  talker:
    checkin: { every: 10m }
    logs: { max: 4KiB, keep: 1 }
    run: for i in $(seq 1 400); do echo "secret-token-$i"; done; $MUSTER_BIN checkin "talked"; exec sleep 600
  retry:
    retries: 1
    restart: { backoff: 200ms }
    run: if [ "$MUSTER_ATTEMPT" = 1 ]; then echo first; exit 3; fi; echo second
`,
  );
  p.headless([], {}, { umask: '000' });
  await waitFor('the talker checked in', async () => {
    const s = (await p.status()) as unknown as { agents: { id: string; state: string; checkin: { message: string | null } }[] };
    const talker = s.agents.find((a) => a.id === 't/talker');
    const retry = s.agents.find((a) => a.id === 't/retry');
    return talker?.checkin.message === 'talked' && retry?.state === 'done';
  });
  // a record the supervisor refuses: moved to rejected/ with a reason file it writes
  const id = `${String(Date.now()).padStart(14, '0')}-1-bad`;
  const tmp = state('inbox', `${id}.json.1.x.tmp`);
  fs.writeFileSync(tmp, '{"v":1,"id":"x"}', { mode: 0o600 });
  fs.renameSync(tmp, state('inbox', `${id}.json`));
  await waitFor('the record refused', () => fs.existsSync(state('inbox', 'rejected', `${id}.reason.txt`)));
  execFileSync('/bin/sh', ['-c', 'umask 000; exec "$@"', 'sh', process.execPath, MAIN, '-C', p.dir, 'report'], { stdio: 'ignore' });
}, 180_000);

afterAll(async () => {
  await p?.destroy();
  await old?.destroy();
  spawnSync('userdel', [USER]);
}, 180_000);

describe('the state folder under umask 000', () => {
  it('is 0700 with every folder 0700 and every file 0600', () => {
    const all = modes(state());
    for (const want of ['state.json', 'events.jsonl', 'supervisor.lock', 'control.sock', 'report.md', 'logs/t/talker.log', 'logs/t/talker.log.1', 'inbox/rejected', 'bin/muster']) {
      expect(all.map((e) => e.rel)).toContain(want);
    }
    expect(all.some((e) => e.rel.startsWith('attempts/'))).toBe(true);
    const wrong = all.filter((e) => e.mode !== wantMode(e));
    expect(wrong).toEqual([]);
  });

  it('cannot be read by another local user', () => {
    // the other user reaches the project (a positive control), but nothing in .muster
    expect(asUser('cat', [path.join(p.dir, 'muster.yaml')]).ok).toBe(true);
    expect(asUser('ls', [state()]).ok).toBe(false);
    for (const f of ['state.json', 'events.jsonl', 'logs/t/talker.log']) expect(asUser('cat', [state(f)]).ok).toBe(false);
  });

  it('its files stay private even where a folder is opened up by hand', () => {
    const dirs = modes(state()).filter((e) => e.kind === 'dir');
    try {
      for (const d of dirs) fs.chmodSync(state(d.rel), 0o711);
      expect(asUser('cat', [state('logs/t/talker.log')]).stderr).toMatch(/Permission denied/);
      expect(asUser('cat', [state('state.json')]).ok).toBe(false);
      expect(asUser('cat', [state('events.jsonl')]).ok).toBe(false);
    } finally {
      for (const d of dirs) fs.chmodSync(state(d.rel), 0o700);
    }
  });
});

describe('a state folder with wider modes', () => {
  it('is tightened with a warning when the supervisor starts', async () => {
    old = makeProject('perms-old');
    old.write('teams/o.yaml', 'name: o\nagents:\n  a: { run: exec sleep 600 }\n');
    const dir = path.join(old.dir, '.muster');
    fs.mkdirSync(path.join(dir, 'logs', 'o'), { recursive: true, mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, 'events.jsonl'), '', { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'logs', 'o', 'a.log'), 'old output\n', { mode: 0o644 });
    fs.chmodSync(path.join(dir, 'logs', 'o', 'a.log'), 0o644);
    const sup = old.headless();
    await waitFor('the supervisor', async () => (await old.status()).supervisor.running);
    expect(sup.output()).toMatch(/muster: warning: .*\.muster could be read by other users; tightened 5 entries to owner-only \(folders 0700, files 0600\)/);
    const wrong = modes(dir).filter((e) => e.mode !== wantMode(e));
    expect(wrong).toEqual([]);
  });
});
