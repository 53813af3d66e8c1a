/**
 * Section 2: memory-limit reaction. The same leaking Node script (~20 MiB/s) under muster
 * with cgroups, under muster without them (MUSTER_CGROUPS=off: sampling, restart after two
 * pulses over the limit) and under pm2 with `max_memory_restart`, all at once. The
 * benchmark reads the leaker's VmRSS every 50 ms and times from the first reading over
 * the limit to the moment the process is gone, and to the moment a new one runs.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { musterCgroupOf } from './lib/cgroup.mjs';
import { alive, findPidsByCmdline, readStat, rssBytes } from './lib/proc.mjs';
import { fmtMiB, fmtSeconds } from './lib/table.mjs';
import { MusterProject, teamYaml } from './lib/muster.mjs';
import { Pm2 } from './lib/pm2.mjs';

const LEAK = fileURLToPath(new URL('./fixtures/leak.mjs', import.meta.url));
const LIMIT = 128 * 1024 * 1024;
const PULSE_MS = 2000;
const CAP_MS = 75_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The leaker's pid for `tag` (the node process itself, not a shell around it), if one runs. */
function leakPid(tag, not = null) {
  const pids = findPidsByCmdline(`leak.mjs ${tag}`).filter((p) => p !== not);
  const node = pids.filter((p) => {
    try {
      return /node$/.test(readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0]);
    } catch {
      return false;
    }
  });
  return node[0] ?? null;
}

/** How a leaker is held: a muster cgroup (with the kernel limit written there) or nothing. */
function memoryCgroup(pid) {
  const g = musterCgroupOf(pid);
  if (!g) return null;
  return g.memoryLimit === null ? `sampling (in a ${g.kind} group, no memory limit there)` : `kernel: ${g.kind} limit ${Math.round(g.memoryLimit / 1048576)} MiB`;
}

/**
 * Watches one leaker: waits for it, then reads VmRSS every 50 ms. Returns
 * { crossMs, goneMs, newMs, peak, cgroup, note } with times relative to the crossing.
 */
async function watch(tag, startTimeoutMs) {
  const t0 = Date.now();
  let pid = null;
  while (pid === null) {
    pid = leakPid(tag);
    if (pid === null) {
      if (Date.now() - t0 > startTimeoutMs) return { error: `the leaker did not start within ${startTimeoutMs / 1000} s` };
      await sleep(50);
    }
  }
  const start = readStat(pid)?.starttime;
  let cgroup = memoryCgroup(pid);
  let peak = 0;
  let cross = null;
  let gone = null;
  let lastBelow = null;
  for (;;) {
    const now = performance.now();
    const same = readStat(pid)?.starttime === start && alive(pid);
    const rss = same ? rssBytes(pid) : null;
    if (rss === null) {
      gone = now;
      break;
    }
    peak = Math.max(peak, rss);
    if (rss >= LIMIT && cross === null) {
      cross = now;
      cgroup = memoryCgroup(pid) ?? cgroup;
    }
    if (rss < LIMIT) lastBelow = now;
    if (cross !== null && now - cross > CAP_MS) break;
    if (cross === null && Date.now() - t0 > CAP_MS + 30_000) return { peak, cgroup, note: 'its RSS never reached the limit' };
    await sleep(50);
  }
  if (gone === null) return { peak, cgroup, crossMs: 0, note: `not restarted within ${CAP_MS / 1000} s` };
  let note = null;
  if (cross === null) {
    // killed before any 50 ms reading was over the limit: the kernel enforced it at the limit
    cross = lastBelow ?? gone;
    note = 'killed at the limit before a 50 ms reading passed it';
  }
  let fresh = null;
  for (const deadline = performance.now() + 30_000; performance.now() < deadline; await sleep(50)) {
    if (leakPid(tag, pid) !== null) {
      fresh = performance.now();
      break;
    }
  }
  return { crossMs: 0, goneMs: gone - cross, newMs: fresh === null ? null : fresh - cross, peak, cgroup, note };
}

function musterLeaker(label, tag, env) {
  return new MusterProject(label, {
    teams: {
      'leak.yaml': teamYaml('leak', {
        leaky: {
          run: `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(LEAK)} ${tag}`,
          limits: '{ memory: 128MiB, on_memory: restart }',
          restart: '{ policy: always, max: 20, within: 10m }',
        },
      }),
    },
    project: 'pulse: 2s\n',
    env,
  });
}

/** Runs the section. `opts`: { pm2 (install result), cacheDir, log, track }. Returns a table. */
export async function runMemory({ pm2: pm2Install, cacheDir, log, track }) {
  log('memory: a leaker at ~20 MiB/s, limit 128 MiB, under muster (cgroups), muster (MUSTER_CGROUPS=off) and pm2');
  const tagBase = `bench${process.pid}`;
  const peers = [
    { name: 'muster', how: 'limits.memory 128MiB', tag: `${tagBase}-muster-cg`, env: {} },
    { name: 'muster, MUSTER_CGROUPS=off', how: 'limits.memory 128MiB', tag: `${tagBase}-muster-nocg`, env: { MUSTER_CGROUPS: 'off' } },
    { name: `pm2${pm2Install.version ? ` ${pm2Install.version}` : ''}`, how: 'max_memory_restart 128M', tag: `${tagBase}-pm2`, pm2: true },
  ];
  const results = await Promise.all(
    peers.map(async (peer) => {
      let owner = null;
      try {
        if (peer.pm2) {
          if (pm2Install.error) return { error: pm2Install.error };
          const pm2 = track(new Pm2(pm2Install.bin, join(cacheDir, `pm2-home-${process.pid}-mem`)));
          owner = pm2;
          await pm2.start([{ name: 'leaky', script: process.execPath, args: [LEAK, peer.tag], interpreter: 'none', max_memory_restart: '128M', autorestart: true }]);
        } else {
          const m = track(musterLeaker(peer.tag.endsWith('nocg') ? 'leak-nocg' : 'leak-cg', peer.tag, peer.env));
          owner = m;
          await m.start();
        }
        const r = await watch(peer.tag, 30_000);
        log(`  ${peer.name}: ${r.error ?? r.note ?? `gone after ${fmtSeconds(r.goneMs)}, new pid after ${fmtSeconds(r.newMs)}`}`);
        return r;
      } catch (err) {
        return { error: err.message };
      } finally {
        if (owner) await (owner.destroy ? owner.destroy() : owner.kill()).catch(() => undefined);
        if (owner) track.done(owner);
      }
    }),
  );

  const rows = peers.map((peer, i) => {
    const r = results[i];
    if (r.error) return [peer.name, peer.how, 'failed (see notes)', '—', '—', '—', '—'];
    const mechanism = peer.pm2 ? 'polls RSS every 30 s' : r.cgroup ?? 'sampling, two pulses over';
    const target = peer.pm2 ? '—' : r.goneMs != null && r.goneMs <= 2 * PULSE_MS ? 'yes' : 'NO';
    return [peer.name, peer.how, mechanism, fmtSeconds(r.goneMs, r.note ?? '—'), fmtSeconds(r.newMs, r.goneMs != null ? 'not within 30 s' : '—'), fmtMiB(r.peak), target];
  });
  const notes = [
    `The leaker's VmRSS is read every 50 ms; times run from the first reading at or over 128 MiB. "Gone" is when that process no longer exists; "running again" when a new leaker process exists (restart backoff included: muster's default 1 s, pm2's restart_delay 0).`,
    `Target: within two pulses (${(2 * PULSE_MS) / 1000} s at a 2 s pulse). pm2 checks max_memory_restart every 30 s (worker_interval); the wait is capped at ${CAP_MS / 1000} s.`,
    "mechanism: read from the leaker's /proc/PID/cgroup: a muster cgroup with a memory limit (the kernel kills at the limit, muster restarts), or muster's sampling (restart after two pulses over the limit). VmRSS counts the node binary's shared file pages, which a cgroup does not charge to the leaker, so a kernel kill comes some MiB after VmRSS passed the limit.",
  ];
  for (const [i, r] of results.entries()) {
    if (r.error) notes.push(`${peers[i].name} failed: ${r.error}`);
    else if (r.note && r.goneMs != null) notes.push(`${peers[i].name}: ${r.note}.`);
  }
  return {
    title: 'Memory-limit reaction, leaking agent (~20 MiB/s), limit 128 MiB',
    columns: ['supervisor', 'setting', 'mechanism', 'over limit → gone', 'over limit → running again', 'peak RSS seen', 'within 2 pulses'],
    rows,
    notes,
    results,
  };
}
