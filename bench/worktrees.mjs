#!/usr/bin/env node
/**
 * Worktrees (docs/worktrees.md), in one run on one repository of 10,000 files:
 *   - 20 `git worktree add` in a shell loop (the floor: what git itself takes);
 *   - `muster up --headless` with 20 agents with `worktree: own` until all have started
 *     (each worktree made at its agent's first start), and the ratio of the two (goal ≤ 1.2×);
 *   - the same 20 agents without worktrees, for what the supervisor's own start costs;
 *   - `muster worktrees` (a whole command: Node start, config, git) over the 20 worktrees,
 *     each with a commit and an uncommitted change.
 * Rounds alternate the shell loop and muster so that both meet the same machine.
 *
 *   node bench/worktrees.mjs [--rounds 3] [--files 10000]
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAIN, MusterProject } from './lib/muster.mjs';
import { CLK_TCK } from './lib/proc.mjs';
import { toText } from './lib/table.mjs';

const AGENTS = 20;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s[Math.floor((s.length - 1) / 2)];
};
const secs = (v) => (v === null ? '—' : `${(v / 1000).toFixed(2)} s`);
const msCell = (v) => (v === null ? '—' : `${v.toFixed(0)} ms`);

function git(cwd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer: 256 * 1024 * 1024, timeout: 600_000, ...opts }, (err, stdout, stderr) =>
      err ? reject(new Error(`git ${args.join(' ')}: ${stderr || err.message}`)) : resolve(String(stdout)),
    );
  });
}

function sh(cwd, script, env) {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', script], { cwd, env, timeout: 900_000, maxBuffer: 16 * 1024 * 1024 }, (err, out, stderr) =>
      err ? reject(new Error(`${script}: ${stderr || err.message}`)) : resolve(String(out)),
    );
  });
}

/** CPU (ms) of a process and of its children it has waited for, from the text of its /proc/PID/stat. */
function cpuWithChildren(statText) {
  const f = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK) * 1000;
}

function teamYaml(worktree) {
  const lines = ['name: w', 'defaults:', '  checkin: off', '  commit: off', `  worktree: ${worktree}`, 'agents:'];
  for (let i = 0; i < AGENTS; i++) lines.push(`  a${String(i).padStart(2, '0')}:`, '    run: exec sleep 3600');
  return `${lines.join('\n')}\n`;
}

/** A repository of `files` files in folders of 100, committed. */
async function makeRepo(dir, files) {
  for (let d = 0; d < Math.ceil(files / 100); d++) {
    const sub = join(dir, 'src', `d${d}`);
    mkdirSync(sub, { recursive: true });
    for (let f = 0; f < 100 && d * 100 + f < files; f++) writeFileSync(join(sub, `f${f}.txt`), `file ${d}/${f}\n${'x'.repeat(200)}\n`);
  }
  writeFileSync(join(dir, '.gitignore'), '.muster/\n');
  await git(dir, ['init', '-q', '-b', 'main']);
  await git(dir, ['config', 'user.name', 'bench']);
  await git(dir, ['config', 'user.email', 'bench@example.com']);
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', 'ten thousand files']);
}

/** Removes every linked worktree and its branch (what a round made), untimed. */
async function clearWorktrees(dir, branchPrefix) {
  const list = await git(dir, ['worktree', 'list', '--porcelain']);
  const paths = list.split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice(9)).slice(1);
  // the folders go first, then git forgets them (`git worktree remove` checks every file of each: minutes for 20 on a busy machine)
  for (const p of paths) rmSync(p, { recursive: true, force: true });
  await git(dir, ['worktree', 'prune']);
  const branches = (await git(dir, ['for-each-ref', '--format=%(refname:short)', `refs/heads/${branchPrefix}`])).split('\n').filter(Boolean);
  if (branches.length) await git(dir, ['branch', '-q', '-D', ...branches]);
  rmSync(join(dir, '.loop'), { recursive: true, force: true });
  rmSync(join(dir, '.muster', 'worktrees'), { recursive: true, force: true });
}

/** `muster up --headless` until every agent has started: wall ms, and the supervisor's CPU ms with the git runs it waited for. */
async function musterUp(p) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN, '-C', p.dir, 'up', '--headless'], { env: p.env, cwd: p.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  p.child = child;
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not all ${AGENTS} agents started in 600 s: ${out.slice(-500)}`)), 600_000);
    child.stdout.on('data', (d) => {
      out += d;
      if ((out.match(/started \(attempt/g) ?? []).length >= AGENTS) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`muster up --headless exited ${code}: ${out.slice(-500)}`));
    });
  });
  const took = performance.now() - t0;
  const cpu = cpuWithChildren(readFileSync(`/proc/${child.pid}/stat`, 'utf8'));
  child.removeAllListeners('exit');
  const r = await p.cli(['cleanup', '--yes'], 120_000);
  if (r.code !== 0) throw new Error(`muster cleanup: ${r.stderr}`);
  await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve)));
  return { wall: took, cpu };
}

export async function runWorktreeBench({ rounds = 3, files = 10_000, log = () => undefined } = {}) {
  const p = new MusterProject('worktrees', { teams: { 'w.yaml': teamYaml('own') }, project: 'pulse: 2s\n' });
  const loop = [];
  const own = [];
  const plain = [];
  const loopCpu = [];
  const ownCpu = [];
  const plainCpu = [];
  const listing = [];
  const listingJson = [];
  try {
    log(`worktrees: a repository of ${files} files…`);
    await makeRepo(p.dir, files);
    for (let r = 0; r < rounds; r++) {
      log(`worktrees: round ${r + 1} of ${rounds}: shell loop`);
      const script = `for i in $(seq 1 ${AGENTS}); do git worktree add -q -b loop/$i .loop/$i HEAD || exit 1; done; cat /proc/$$/stat`;
      const t0 = performance.now();
      const stat = await sh(p.dir, script, p.env);
      loop.push(performance.now() - t0);
      loopCpu.push(cpuWithChildren(stat));
      log(`worktrees: shell loop ${(loop.at(-1) / 1000).toFixed(2)} s wall, ${(loopCpu.at(-1) / 1000).toFixed(2)} s CPU`);
      await clearWorktrees(p.dir, 'loop/');
      log(`worktrees: round ${r + 1} of ${rounds}: muster, worktree: own`);
      writeFileSync(join(p.dir, 'teams', 'w.yaml'), teamYaml('own'));
      const o = await musterUp(p);
      own.push(o.wall);
      ownCpu.push(o.cpu);
      log(`worktrees: muster with worktrees ${(o.wall / 1000).toFixed(2)} s wall, ${(o.cpu / 1000).toFixed(2)} s CPU`);
      if (r < rounds - 1) await clearWorktrees(p.dir, 'muster/');
      log(`worktrees: round ${r + 1} of ${rounds}: muster, worktree: off`);
      writeFileSync(join(p.dir, 'teams', 'w.yaml'), teamYaml('off'));
      const n = await musterUp(p);
      plain.push(n.wall);
      plainCpu.push(n.cpu);
      log(`worktrees: muster without worktrees ${(n.wall / 1000).toFixed(2)} s wall, ${(n.cpu / 1000).toFixed(2)} s CPU`);
    }
    // the worktrees of the last round: one commit and one uncommitted change each
    writeFileSync(join(p.dir, 'teams', 'w.yaml'), teamYaml('own'));
    for (let i = 0; i < AGENTS; i++) {
      const wt = join(p.dir, '.muster', 'worktrees', 'w', `a${String(i).padStart(2, '0')}`);
      const d = i % Math.ceil(files / 100);
      await sh(wt, `echo change ${i} > src/d${d}/f0.txt && git commit -qam work && echo more >> src/d${d}/f1.txt`, p.env);
    }
    log('worktrees: muster worktrees over 20 worktrees…');
    for (let i = 0; i < 5; i++) {
      for (const [args, into] of [[['worktrees'], listing], [['worktrees', '--json'], listingJson]]) {
        const t0 = performance.now();
        const r = await p.cli(args, 120_000);
        if (r.code !== 0) throw new Error(`muster ${args.join(' ')}: ${r.stderr}`);
        into.push(performance.now() - t0);
        if (args.length === 2 && JSON.parse(r.stdout).worktrees.length !== AGENTS) throw new Error('muster worktrees --json did not list every worktree');
      }
    }
  } finally {
    await p.destroy();
  }
  const ratios = own.map((v, i) => v / loop[i]);
  const cpuRatios = ownCpu.map((v, i) => v / loopCpu[i]);
  const list = (xs, f = (v) => (v / 1000).toFixed(2)) => xs.map(f).join(' ');
  return {
    title: `Worktrees: ${AGENTS} agents in a repository of ${files.toLocaleString('en')} files (median of ${rounds} rounds)`,
    columns: ['measure', 'median', 'runs'],
    rows: [
      [`${AGENTS} × \`git worktree add\` in a shell loop: wall`, secs(median(loop)), list(loop)],
      [`\`muster up --headless\`, ${AGENTS} agents with \`worktree: own\` → all started: wall`, secs(median(own)), list(own)],
      ['ratio muster / shell loop, wall, per round (goal ≤ 1.2×)', `${median(ratios).toFixed(2)}×`, list(ratios, (v) => v.toFixed(2))],
      [`${AGENTS} × \`git worktree add\` in a shell loop: CPU (git)`, secs(median(loopCpu)), list(loopCpu)],
      [`\`muster up --headless\` with worktrees: CPU (supervisor and its git runs)`, secs(median(ownCpu)), list(ownCpu)],
      ['ratio muster / shell loop, CPU, per round', `${median(cpuRatios).toFixed(2)}×`, list(cpuRatios, (v) => v.toFixed(2))],
      [`\`muster up --headless\`, the same ${AGENTS} agents without worktrees → all started: wall / CPU`, `${secs(median(plain))} / ${secs(median(plainCpu))}`, list(plain)],
      [`\`muster worktrees\`, ${AGENTS} worktrees`, msCell(median(listing)), listing.map((v) => v.toFixed(0)).join(' ')],
      [`\`muster worktrees --json\`, ${AGENTS} worktrees`, msCell(median(listingJson)), listingJson.map((v) => v.toFixed(0)).join(' ')],
    ],
    notes: [
      `The repository: ${files.toLocaleString('en')} files of ~220 bytes in folders of 100, one commit. Each round runs the shell loop, then muster with worktrees, then muster without; the worktrees of one are removed (untimed) before the next.`,
      'muster: from spawning `muster up --headless` until its output shows every agent started; the worktrees are made in the agents\' launches (git\'s part one at a time per repository, as `git worktree add` runs in one repository can fail reading each other\'s records).',
      'CPU: user + system time of the shell, or of the supervisor, and of the processes they waited for (the git runs), from /proc/PID/stat; it does not depend on what else the machine runs the way wall time does. The supervisor\'s own start (tmux, panes, cgroups) is in muster\'s figures.',
      '`muster worktrees`: the whole command (Node start, team files, git); each worktree with one commit and one uncommitted change; git is asked at most 4 worktrees at a time.',
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const table = await runWorktreeBench({ rounds: arg('--rounds', 3), files: arg('--files', 10_000), log: (l) => process.stderr.write(`${l}\n`) });
  console.log(toText(table));
}
