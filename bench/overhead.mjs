/**
 * Section 1: supervisor overhead with N idle agents (`exec sleep 3600`, check-ins off,
 * 2 s pulse): muster's supervisor process (and, apart, the crew's tmux server and the
 * supervisor's control-mode tmux client) beside pm2's daemon supervising the same N
 * `sleep` processes, measured in the same window from /proc tick deltas. Then a second
 * window with a subscribed control client (as the TUI is) counts muster's snapshot
 * pushes, one per pulse, to show whether it keeps its pulse.
 */
import { join } from 'node:path';
import { fmtCpu, fmtMiB, fmtRatio } from './lib/table.mjs';
import { allPids, cmdline, descendantsOf, measureWindow, pssBytes } from './lib/proc.mjs';
import { MusterProject, teamYaml } from './lib/muster.mjs';
import { Pm2 } from './lib/pm2.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PULSE_MS = 2000;

function idleTeam(n) {
  const agents = {};
  const width = String(n).length;
  for (let i = 1; i <= n; i++) agents[`a${String(i).padStart(width, '0')}`] = { run: 'exec sleep 3600' };
  return teamYaml('idle', agents);
}

/** Starts a muster crew of N idle agents; on failure it is torn down before the error is thrown. */
async function startMuster(n, log, track) {
  const m = track(new MusterProject(`idle${n}`, { teams: { 'idle.yaml': idleTeam(n) }, project: 'pulse: 2s\n' }));
  try {
    const t0 = Date.now();
    await m.start();
    await m.waitRunning(n, 30_000 + n * 500);
    log(`  muster: ${n} agents running after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return m;
  } catch (err) {
    await m.destroy().catch(() => undefined);
    track.done(m);
    throw err;
  }
}

/** Starts a private pm2 with N `sleep` apps; on failure it is killed before the error is thrown. */
async function startPm2(n, pm2Bin, cacheDir, log, track) {
  const pm2 = track(new Pm2(pm2Bin, join(cacheDir, `pm2-home-${process.pid}-${n}`)));
  try {
    return await fillPm2(pm2, n, log);
  } catch (err) {
    await pm2.kill().catch(() => undefined);
    track.done(pm2);
    throw err;
  }
}

async function fillPm2(pm2, n, log) {
  const t0 = Date.now();
  const apps = Array.from({ length: n }, (_, i) => ({ name: `s${i + 1}`, script: 'sleep', args: '3600', interpreter: 'none', autorestart: true }));
  await pm2.start(apps);
  const deadline = Date.now() + 30_000 + n * 500;
  for (;;) {
    const online = (await pm2.list()).filter((p) => p.status === 'online' && p.pid > 0).length;
    if (online >= n) break;
    if (Date.now() > deadline) throw new Error(`pm2: only ${online} of ${n} apps online`);
    await sleep(500);
  }
  log(`  pm2: ${n} apps online after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return pm2;
}

/**
 * What muster runs per agent besides the agent's own command (the pane's wrapper shell, the
 * log pipe, …): every descendant of the crew's tmux server other than the `sleep`s, counted
 * with their summed PSS (shared pages divided among their users, so small shells are not
 * counted many times over).
 */
function helperProcesses(tmuxServer) {
  const pids = descendantsOf(tmuxServer).filter((p) => !/^(\S*\/)?sleep 3600$/.test(cmdline(p) ?? ''));
  const pss = pids.reduce((sum, p) => sum + (pssBytes(p) ?? 0), 0);
  return { count: pids.length, pss };
}

/** Pulse regularity from snapshot arrival times. */
function pulseStats(times) {
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  if (gaps.length === 0) return { count: times.length, mean: null, max: null };
  return { count: times.length, mean: gaps.reduce((a, b) => a + b, 0) / gaps.length, max: Math.max(...gaps) };
}

/**
 * Runs the section. `opts`: { sizes, windowMs, settleMs, pulseWindowMs, pm2 (install result), cacheDir, log, track }.
 * Returns a table.
 */
export async function runOverhead(opts) {
  const { sizes, windowMs, settleMs, pulseWindowMs, pm2: pm2Install, cacheDir, log, track } = opts;
  const rows = [];
  const notes = [];
  const results = [];
  for (const n of sizes) {
    log(`overhead: ${n} idle agents`);
    let m = null;
    let p = null;
    const row = { n };
    try {
      const [mr, pr] = await Promise.allSettled([
        startMuster(n, log, track).then((x) => (m = x)),
        pm2Install.error ? Promise.reject(new Error(pm2Install.error)) : startPm2(n, pm2Install.bin, cacheDir, log, track).then((x) => (p = x)),
      ]);
      if (mr.status === 'rejected') row.musterError = mr.reason.message;
      if (pr.status === 'rejected') row.pm2Error = pr.reason.message;
      await sleep(settleMs);
      const procs = {};
      if (m) {
        procs.sup = await m.supervisorPid();
        const t = await m.tmuxPids(procs.sup);
        if (t.server) procs.tmuxServer = t.server;
        if (t.client) procs.tmuxClient = t.client;
      }
      if (p) {
        const god = p.godPid();
        if (god) procs.god = god;
        else row.pm2Error = 'pm2 daemon not found';
      }
      log(`  measuring ${windowMs / 1000} s…`);
      row.processes = allPids().length;
      const w = await measureWindow(procs, windowMs);
      row.main = w.procs;
      row.machineBusy = w.machineBusy;
      if (procs.tmuxServer) row.helpers = helperProcesses(procs.tmuxServer);
      if (m) {
        log(`  muster with a subscribed client, ${pulseWindowMs / 1000} s…`);
        const counter = await m.countSnapshots();
        const w2 = await measureWindow({ sup: procs.sup }, pulseWindowMs);
        row.subscribed = w2.procs.sup;
        row.pulse = pulseStats(counter.stop().slice(1)); // the first snapshot answers the subscription itself
      }
    } catch (err) {
      row.error = err.message;
    } finally {
      await Promise.allSettled([m?.destroy().then(() => track.done(m)), p?.kill().then(() => track.done(p))]);
    }
    results.push(row);
  }

  for (const r of results) {
    const sup = r.main?.sup;
    const god = r.main?.god;
    const tmuxCpu = r.main?.tmuxServer ? (r.main.tmuxServer.cpu ?? 0) + (r.main.tmuxClient?.cpu ?? 0) : null;
    const tmuxRss = r.main?.tmuxServer ? (r.main.tmuxServer.rss ?? 0) + (r.main.tmuxClient?.rss ?? 0) : null;
    let pulse = '—';
    if (r.pulse?.mean != null) {
      const kept = r.pulse.max <= PULSE_MS * 1.5 ? 'kept' : 'NOT kept';
      pulse = `${(r.pulse.mean / 1000).toFixed(2)} s / ${(r.pulse.max / 1000).toFixed(2)} s, ${kept}`;
    } else if (r.pulse) pulse = `${r.pulse.count} snapshot(s): NOT kept`;
    rows.push([
      String(r.n),
      sup?.cpu != null ? fmtCpu(sup.cpu) : 'failed',
      sup ? fmtMiB(sup.rss) : '—',
      god?.cpu != null ? fmtCpu(god.cpu) : 'failed',
      god ? fmtMiB(god.rss) : '—',
      sup && god ? fmtRatio(god.cpu, sup.cpu) : '—',
      sup && god ? fmtRatio(god.rss, sup.rss) : '—',
      fmtCpu(tmuxCpu),
      fmtMiB(tmuxRss),
      r.helpers ? `${r.helpers.count}, ${fmtMiB(r.helpers.pss)}` : '—',
      r.subscribed ? fmtCpu(r.subscribed.cpu) : '—',
      pulse,
      r.machineBusy != null ? fmtCpu(r.machineBusy, 0) : '—',
      r.processes != null ? String(r.processes) : '—',
    ]);
    for (const [who, e] of [['muster', r.musterError], ['pm2', r.pm2Error], ['run', r.error]]) {
      if (e) notes.push(`${r.n} agents, ${who} failed: ${e}`);
    }
  }
  notes.unshift(
    `CPU is percent of one core from utime+stime deltas in /proc over a ${windowMs / 1000} s window after ${settleMs / 1000} s of settling; RSS is the mean of one VmRSS reading a second.`,
    "The settling is long because the steady idle cost is what is compared: muster's first seconds include launching the agents, reading each one's first screen and V8 collecting the garbage of all that (measured from 5 s after start, muster's 30 s window costs about 0.3 points more at 50 agents).",
    'An idle pulse measures every agent only every 5th pulse (or each pulse while a client is subscribed, as in the last column, or near the CPU ceiling); agents with a CPU limit, or a memory limit no cgroup enforces, are measured every pulse. These idle agents have no limits.',
    'muster = the supervisor process (`muster up --headless`, no client connected); pm2 = its God daemon; both supervise the same N `sleep 3600` processes.',
    "tmux = the crew's own tmux server plus the supervisor's control-mode tmux client (pm2 has no counterpart: it holds its children itself).",
    "helper processes: what muster runs in the panes besides the agents' own `sleep`s (wrapper shells, log pipes), with their summed proportional set size; pm2 runs the `sleep`s alone.",
    `pulse: interval between snapshot pushes to a subscribed control client (as the TUI is) over ${pulseWindowMs / 1000} s, mean / max; the pulse is ${PULSE_MS / 1000} s and counts as kept when no interval exceeds 1.5× it.`,
    'The window is 30 s by default because pm2 does its periodic work (memory checks of every app) every 30 s: one window holds one of its cycles. Ratios above 1× mean pm2 costs more.',
    'machine busy: CPU use of the whole machine (all cores) during the window, from /proc/stat; other work on the machine does not enter the per-process figures but can slow them.',
    "processes on machine: at the window's start, both crews included. Each pulse muster reads its agents' own processes (their cgroups list them; without cgroups it scans all of /proc, so its cost also grows with this count); pm2's daemon does its periodic checks every 30 s.",
  );
  return {
    title: 'Supervisor overhead, idle agents, 2 s pulse',
    columns: ['agents', 'muster CPU', 'muster RSS', 'pm2 CPU', 'pm2 RSS', 'pm2/muster CPU', 'pm2/muster RSS', 'tmux CPU', 'tmux RSS', 'helper processes, PSS', 'muster CPU, client subscribed', 'pulse mean / max', 'machine busy', 'processes on machine'],
    rows,
    notes,
    results,
  };
}
