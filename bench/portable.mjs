/**
 * The portable path (docs/index.md#where-it-runs): what reading the process table with
 * `ps` (MUSTER_SAMPLER=ps, the default where /proc is missing) costs the supervisor beside
 * the /proc scan, both without cgroups, 50 idle agents each, measured in the same window;
 * what the machine-wide figures cost per pulse read three ways (/proc, Node's os module,
 * systeminformation, installed into bench/.cache/ for this comparison only); and the
 * size of the npm package.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmtCpu, fmtMiB } from './lib/table.mjs';
import { CLK_TCK, measureWindow } from './lib/proc.mjs';
import { MusterProject, teamYaml } from './lib/muster.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 64 << 20, timeout: opts.timeoutMs ?? 300_000, ...opts }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** utime+stime of a process and of its reaped children (the ps runs), in ticks. */
function ticksWithChildren(pid) {
  try {
    const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { own: Number(rest[11]) + Number(rest[12]), children: Number(rest[13]) + Number(rest[14]) };
  } catch {
    return null;
  }
}

function idleTeam(n) {
  const agents = {};
  for (let i = 1; i <= n; i++) agents[`a${String(i).padStart(2, '0')}`] = { run: 'exec sleep 3600' };
  return teamYaml('idle', agents);
}

const PATHS = [
  { label: '/proc scan', env: { MUSTER_CGROUPS: 'off' } },
  { label: 'ps', env: { MUSTER_SAMPLER: 'ps', MUSTER_CGROUPS: 'off' } },
];

async function overhead({ agents, windowMs, settleMs, log, track }) {
  const crews = [];
  try {
    for (const p of PATHS) {
      const m = track(new MusterProject(`port-${p.label === 'ps' ? 'ps' : 'proc'}`, { teams: { 'idle.yaml': idleTeam(agents) }, project: 'pulse: 2s\n', env: p.env }));
      crews.push({ ...p, m });
      await m.start();
      await m.waitRunning(agents, 30_000 + agents * 500);
      log(`  portable: ${p.label}: ${agents} agents running`);
    }
    await sleep(settleMs);
    const rows = [];
    for (const subscribed of [false, true]) {
      const pids = Object.fromEntries(await Promise.all(crews.map(async (c) => [c.label, await c.m.supervisorPid()])));
      const counters = subscribed ? await Promise.all(crews.map((c) => c.m.countSnapshots())) : [];
      const before = Object.fromEntries(Object.entries(pids).map(([l, pid]) => [l, ticksWithChildren(pid)]));
      log(`  measuring ${windowMs / 1000} s${subscribed ? ' with a subscribed client' : ''}…`);
      const w = await measureWindow(pids, windowMs);
      for (const c of counters) c.stop();
      for (const c of crews) {
        const a = before[c.label];
        const b = ticksWithChildren(pids[c.label]);
        const seconds = windowMs / 1000;
        const kids = a && b ? ((b.children - a.children) / CLK_TCK / seconds) * 100 : null;
        rows.push([c.label, subscribed ? 'every pulse (client subscribed)' : 'every 5th pulse (idle)', fmtCpu(w.procs[c.label]?.cpu), fmtCpu(kids), fmtCpu((w.procs[c.label]?.cpu ?? 0) + (kids ?? 0)), fmtMiB(w.procs[c.label]?.rss)]);
      }
    }
    return rows;
  } finally {
    for (const c of crews) await c.m.destroy().then(() => track.done(c.m)).catch(() => undefined);
  }
}

/** Installs systeminformation into `cacheDir` unless it is there (for this comparison only: muster does not depend on it). */
async function ensureSysinfo(cacheDir, log) {
  const pkg = join(cacheDir, 'node_modules', 'systeminformation', 'package.json');
  if (!existsSync(pkg)) {
    log(`installing systeminformation into ${cacheDir}…`);
    mkdirSync(cacheDir, { recursive: true });
    const r = await run('npm', ['install', '--prefix', cacheDir, '--no-audit', '--no-fund', '--no-save', 'systeminformation@5']);
    if (r.code !== 0 || !existsSync(pkg)) return { error: `npm install systeminformation failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}` };
  }
  const version = JSON.parse(readFileSync(pkg, 'utf8')).version;
  const main = JSON.parse(readFileSync(pkg, 'utf8')).main ?? 'lib/index.js';
  const mod = await import(pathToFileURL(join(cacheDir, 'node_modules', 'systeminformation', main)).href);
  return { si: mod.default ?? mod, version };
}

/** Mean wall time and CPU time of one call, over `n` calls 20 ms apart (as pulses would spread them). */
async function cost(n, call) {
  await call(); // warm-up: first reads open files, first systeminformation call sets its baseline
  let wall = 0;
  let cpu = 0;
  for (let i = 0; i < n; i++) {
    await sleep(20);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await call();
    wall += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
  }
  return { wall: wall / n, cpu: cpu / n };
}

async function machineReaders({ cacheDir, log }) {
  const { readMachine } = await import(pathToFileURL(join(ROOT, 'dist/monitor/proc-table.js')).href);
  const { osMachine } = await import(pathToFileURL(join(ROOT, 'dist/monitor/process-source.js')).href);
  const rows = [];
  const n = 200;
  const proc = await cost(n, () => readMachine());
  rows.push(['/proc/stat + /proc/meminfo (muster on Linux)', proc.wall.toFixed(3), proc.cpu.toFixed(3), 'yes']);
  const os = await cost(n, () => osMachine());
  rows.push(["Node's os.cpus() + os.totalmem()/freemem() (muster's ps path)", os.wall.toFixed(3), os.cpu.toFixed(3), 'yes']);
  const si = await ensureSysinfo(cacheDir, log);
  let siVersion = null;
  if (si.error) rows.push(['systeminformation currentLoad() + mem()', 'failed', si.error, '—']);
  else {
    siVersion = si.version;
    const s = await cost(n, () => Promise.all([si.si.currentLoad(), si.si.mem()]));
    rows.push([`systeminformation ${si.version} currentLoad() + mem()`, s.wall.toFixed(3), s.cpu.toFixed(3), 'yes']);
  }
  return { rows, siVersion, proc, os };
}

async function packageSize() {
  const r = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
  if (r.code !== 0) return null;
  const j = JSON.parse(r.stdout)[0];
  return { size: j.size, unpacked: j.unpackedSize, files: j.entryCount };
}

/** Runs the section. `opts`: { agents, windowMs, settleMs, cacheDir, log, track }. Returns a table. */
export async function runPortable(opts) {
  const { log } = opts;
  log(`portable: /proc and ps, ${opts.agents} idle agents each…`);
  const overheadRows = await overhead(opts);
  log('portable: machine figures per pulse…');
  const machine = await machineReaders(opts);
  const pack = await packageSize();
  const rows = [
    ...overheadRows,
    ...machine.rows.map(([how, wall, cpu]) => [`machine figures: ${how}`, 'one reading', `${wall} ms wall`, `${cpu} ms CPU`, '—', '—']),
  ];
  const notes = [
    `Two crews of ${opts.agents} \`sleep 3600\` agents, both with MUSTER_CGROUPS=off, run at once and are measured in the same ${opts.windowMs / 1000} s window after ${opts.settleMs / 1000} s of settling; CPU is percent of one core from /proc (utime+stime of the supervisor, and cutime+cstime for the \`ps\` runs it waited for).`,
    'A pulse that measures agents (all of them every 5th idle pulse, every pulse while a client is subscribed) reads the process table once: a scan of /proc/PID/stat, or one `ps -A` run, started in the background (a pulse gets the table read after the one before); a pulse that measures none reads only the supervisor\'s own figures.',
    `Machine figures: mean of 200 readings 20 ms apart in one Node process. systeminformation is installed into bench/.cache/ for this comparison only; muster reads /proc where it exists and Node's os counters elsewhere (both portable through Node), so it does not depend on systeminformation.`,
  ];
  if (pack) notes.push(`Package: \`npm pack --dry-run\`: ${(pack.size / 1000).toFixed(0)} kB packed, ${(pack.unpacked / 1000).toFixed(0)} kB unpacked, ${pack.files} files (dist without source maps, docs, schema, layouts, teams, README).`);
  return {
    title: `Portable path: process table from ps beside /proc, ${opts.agents} idle agents, 2 s pulse`,
    columns: ['path', 'agents measured', 'muster CPU', 'its ps runs', 'together', 'muster RSS'],
    rows,
    notes,
  };
}
