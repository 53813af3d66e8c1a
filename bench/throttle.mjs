/**
 * Section 3: CPU throttle accuracy. A shell busy loop limited to 20 % and to 50 % of one
 * core, the two at once, the CPU each actually got over the window (utime+stime of its
 * session in /proc): under muster with cgroups, under muster with duty cycling
 * (MUSTER_CGROUPS=off), and under `cpulimit -l` (Debian package; installed with apt-get
 * when running as root and missing). The enforcer's own CPU is measured in the same window.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { musterCgroupOf } from './lib/cgroup.mjs';
import { allPids, alive, CLK_TCK, cpuTicks, machineBusy, machineTicks, readStat } from './lib/proc.mjs';
import { fmtCpu } from './lib/table.mjs';
import { MusterProject, teamYaml } from './lib/muster.mjs';

const BUSY = fileURLToPath(new URL('./fixtures/busy.sh', import.meta.url));
const LIMITS = [20, 50];
const TOLERANCE = 0.1;
const SETTLE_MS = 10_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;
}

/** cpulimit's path, installing the Debian package when root and missing; `{ error }` otherwise. */
async function ensureCpulimit(log) {
  const found = which('cpulimit');
  if (found) return { bin: found };
  if (process.getuid?.() !== 0 || !which('apt-get')) return { error: 'not installed' };
  log('installing cpulimit with apt-get…');
  const r = await new Promise((resolve) =>
    execFile('apt-get', ['install', '-y', '-q', 'cpulimit'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 180_000 }, (err, out, errOut) =>
      resolve({ ok: !err, text: String(errOut || out) }),
    ),
  );
  const bin = which('cpulimit');
  return bin ? { bin } : { error: `not installed (apt-get failed: ${r.text.trim().split('\n').pop()})` };
}

/** Pids in session `sid` (the busy loop and anything it started). */
function sessionPids(sid) {
  return allPids().filter((p) => readStat(p)?.sid === sid);
}

/** Sum of CPU ticks over a set of pids, keyed by pid so that only pids present at both ends count. */
function ticksOf(pids) {
  return new Map(pids.map((p) => [p, cpuTicks(p)]).filter(([, t]) => t !== null));
}

/**
 * Measures over `ms`: for each target (label → session id) the CPU its session got, and
 * for each enforcer (label → pid) its own CPU. Percent of one core.
 */
async function measure(targets, enforcers, ms) {
  const before = new Map(Object.entries(targets).map(([l, sid]) => [l, ticksOf(sessionPids(sid))]));
  const enf0 = new Map(Object.entries(enforcers).map(([l, pid]) => [l, cpuTicks(pid)]));
  const m0 = machineTicks();
  const t0 = performance.now();
  await sleep(ms);
  const busy = machineBusy(m0, machineTicks());
  const seconds = (performance.now() - t0) / 1000;
  const got = {};
  for (const [label, sid] of Object.entries(targets)) {
    const a = before.get(label);
    const b = ticksOf(sessionPids(sid));
    let ticks = 0;
    for (const [pid, t] of b) ticks += t - (a.get(pid) ?? 0); // a process born in the window counts from 0
    got[label] = (ticks / CLK_TCK / seconds) * 100;
  }
  const enf = {};
  for (const [label, pid] of Object.entries(enforcers)) {
    const a = enf0.get(label);
    const b = cpuTicks(pid);
    enf[label] = a === null || b === null ? null : ((b - a) / CLK_TCK / seconds) * 100;
  }
  return { got, enf, busy };
}

async function underMuster(label, env, windowMs, log, track) {
  const agents = {};
  for (const limit of LIMITS) agents[`busy${limit}`] = { run: `exec sh ${BUSY} ${label}-${limit}`, limits: `{ cpu: ${limit}%, on_cpu: throttle }` };
  const m = track(new MusterProject(`busy-${label}`, { teams: { 'busy.yaml': teamYaml('busy', agents) }, project: 'pulse: 2s\n', env }));
  try {
    await m.start();
    const status = await m.waitRunning(LIMITS.length, 30_000);
    const pidOf = (limit) => status.agents.find((a) => a.name === `busy${limit}`).pid;
    const held = LIMITS.map((l) => musterCgroupOf(pidOf(l)));
    await sleep(SETTLE_MS);
    const targets = Object.fromEntries(LIMITS.map((l) => [l, readStat(pidOf(l))?.sid ?? pidOf(l)]));
    log(`  muster${env.MUSTER_CGROUPS ? ` MUSTER_CGROUPS=${env.MUSTER_CGROUPS}` : ''}: measuring ${windowMs / 1000} s…`);
    const r = await measure(targets, { sup: status.supervisor.pid }, windowMs);
    const after = await m.status();
    const states = LIMITS.map((l) => after.agents.find((a) => a.name === `busy${l}`)?.state ?? '?');
    const kind = held.find((h) => h)?.kind;
    const quotas = held.map((h) => (h?.cpuLimit == null ? 'none' : `${Math.round(h.cpuLimit)} %`)).join(' / ');
    const mechanism = kind ? `${kind} quota ${quotas}` : 'no cgroup: SIGSTOP/SIGCONT';
    return { got: r.got, enforcer: r.enf.sup, mechanism, states, busy: r.busy };
  } finally {
    await m.destroy();
    track.done(m);
  }
}

async function underCpulimit(cpulimit, windowMs, log, track) {
  const procs = [];
  const group = {
    kill: async () => {
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      await sleep(100);
    },
  };
  track(group);
  try {
    const targets = {};
    const enforcers = {};
    for (const limit of LIMITS) {
      // the loop in a session of its own (detached), so its session id names it alone
      const busy = spawn('sh', [BUSY, `cpulimit-${limit}`], { detached: true, stdio: 'ignore' });
      procs.push(busy);
      const lim = spawn(cpulimit, ['-l', String(limit), '-p', String(busy.pid)], { stdio: 'ignore' });
      procs.push(lim);
      targets[limit] = busy.pid;
      enforcers[limit] = lim.pid;
    }
    await sleep(SETTLE_MS);
    log(`  cpulimit: measuring ${windowMs / 1000} s…`);
    const r = await measure(targets, enforcers, windowMs);
    const enforcer = Object.values(r.enf).reduce((a, b) => a + (b ?? 0), 0);
    return { got: r.got, enforcer, busy: r.busy, mechanism: 'SIGSTOP/SIGCONT', states: LIMITS.map((_, i) => (alive(procs[i * 2 + 1].pid) ? 'limited' : 'cpulimit exited')) };
  } finally {
    // cpulimit first (it would SIGCONT on exit), then the loops
    for (const [i, p] of procs.entries()) if (i % 2 === 1 && p.exitCode === null) p.kill('SIGKILL');
    for (const [i, p] of procs.entries()) if (i % 2 === 0 && p.exitCode === null) p.kill('SIGKILL');
    await sleep(100);
    track.done(group);
  }
}

function verdict(limit, got) {
  if (got === null || got === undefined) return '—';
  return Math.abs(got - limit) <= limit * TOLERANCE ? 'yes' : 'no';
}

/** Runs the section. `opts`: { windowMs, log, track }. Returns a table. */
export async function runThrottle({ windowMs, log, track }) {
  log(`throttle: busy loops limited to ${LIMITS.join(' % and ')} %, ${windowMs / 1000} s windows`);
  const methods = [
    { name: 'muster (cgroups)', run: () => underMuster('cg', {}, windowMs, log, track) },
    { name: 'muster, MUSTER_CGROUPS=off (duty cycling)', run: () => underMuster('duty', { MUSTER_CGROUPS: 'off' }, windowMs, log, track) },
    {
      name: 'cpulimit -l',
      run: async () => {
        const c = await ensureCpulimit(log);
        if (c.error) return { error: c.error };
        return underCpulimit(c.bin, windowMs, log, track);
      },
    },
  ];
  const rows = [];
  const notes = [];
  for (const method of methods) {
    let r;
    try {
      r = await method.run();
    } catch (err) {
      r = { error: err.message };
    }
    if (r.error) {
      rows.push([method.name, r.error === 'not installed' ? 'not installed' : 'failed (see notes)', ...LIMITS.flatMap(() => ['—', '—']), '—', '—']);
      if (r.error !== 'not installed') notes.push(`${method.name} failed: ${r.error}`);
      continue;
    }
    rows.push([
      method.name,
      r.mechanism,
      ...LIMITS.flatMap((l) => [fmtCpu(r.got[l], 1), verdict(l, r.got[l])]),
      fmtCpu(r.enforcer),
      fmtCpu(r.busy, 0),
    ]);
    if (r.states.some((s) => s !== 'throttled' && s !== 'limited')) notes.push(`${method.name}: agent states at the end: ${LIMITS.map((l, i) => `${l} % → ${r.states[i]}`).join(', ')}.`);
  }
  notes.unshift(
    `CPU the loop's session got over ${windowMs / 1000} s (after ${SETTLE_MS / 1000} s of settling: the first pulse must see the loop over its limit, and the enforcers adapt), percent of one core, from utime+stime in /proc; both loops run at once. Within target: the limit ± ${TOLERANCE * 100} % of it (18–22 % and 45–55 %).`,
    "enforcer CPU: muster's supervisor process, or the two cpulimit processes together, in the same window.",
    'machine busy: CPU use of the whole machine (all cores, the two loops included) in the window, from /proc/stat. A cgroup quota is a ceiling, not a guarantee: when other work keeps the cores busy, a loop can get less than its quota.',
  );
  return {
    title: 'CPU throttle accuracy, busy loop',
    columns: ['enforcer', 'mechanism', ...LIMITS.flatMap((l) => [`limit ${l} %: got`, '±10 %']), 'enforcer CPU', 'machine busy'],
    rows,
    notes,
  };
}
