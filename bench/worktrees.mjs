#!/usr/bin/env node
/**
 * Worktrees (docs/worktrees.md), in one run on one repository of 10,000 files:
 *   - 20 `git worktree add` in a shell loop (the floor: what git itself takes);
 *   - `muster up --headless` with 20 agents with `worktree: own` until all have started
 *     (each worktree made at its agent's first start), and the ratio of the two (goal ≤ 1.2×);
 *   - the same 20 agents without worktrees, for what the supervisor's own start costs;
 *   - `muster worktrees` (a whole command: Node start, config, git) over the 20 worktrees,
 *     each with a commit and an uncommitted change, against `git worktree list` with
 *     `git status` per worktree, and against the same facts asked of git, both in a shell
 *     loop (ratios).
 * Rounds alternate which of the shell loop and muster goes first, so that both meet the same machine.
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

/** Runs of the listing commands (each run: both baselines, then both muster commands). */
const LISTING_RUNS = 5;

/** The plain baseline: `git worktree list`, then `git status` in each linked worktree, one after the other. */
const PLAIN_SCRIPT = `for w in $(git worktree list --porcelain | sed -n 's/^worktree //p' | tail -n +2); do git -C "$w" status --porcelain --branch; done`;

/**
 * The facts `muster worktrees` shows, from git in a shell loop: per worktree its status,
 * commits ahead/behind `main`, and lines changed committed (from where the branch left
 * `main`) and uncommitted.
 */
const FACTS_SCRIPT = `for w in $(git worktree list --porcelain | sed -n 's/^worktree //p' | tail -n +2); do b=$(git -C "$w" symbolic-ref --short HEAD); echo "$b"; git -C "$w" status --porcelain; git rev-list --left-right --count "main...$b"; git diff --numstat "main...$b"; git -C "$w" diff --numstat HEAD; done`;

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
  // packed, as a clone is: a checkout reads one pack, not 10,000 loose objects (whose reads swing with the page cache)
  await git(dir, ['repack', '-a', '-d', '-q']);
  await git(dir, ['prune']);
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
  // the deletes written out before the next timed part, so that it does not pay for them
  await sh(dir, 'sync');
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
  const plainGit = [];
  const factsGit = [];
  try {
    log(`worktrees: a repository of ${files} files…`);
    await makeRepo(p.dir, files);
    for (let r = 0; r < rounds; r++) {
      const shellLoop = async () => {
        log(`worktrees: round ${r + 1} of ${rounds}: shell loop`);
        const script = `for i in $(seq 1 ${AGENTS}); do git worktree add -q -b loop/$i .loop/$i HEAD || exit 1; done; cat /proc/$$/stat`;
        const t0 = performance.now();
        const stat = await sh(p.dir, script, p.env);
        loop.push(performance.now() - t0);
        loopCpu.push(cpuWithChildren(stat));
        log(`worktrees: shell loop ${(loop.at(-1) / 1000).toFixed(2)} s wall, ${(loopCpu.at(-1) / 1000).toFixed(2)} s CPU`);
        await clearWorktrees(p.dir, 'loop/');
      };
      const withWorktrees = async () => {
        log(`worktrees: round ${r + 1} of ${rounds}: muster, worktree: own`);
        writeFileSync(join(p.dir, 'teams', 'w.yaml'), teamYaml('own'));
        const o = await musterUp(p);
        own.push(o.wall);
        ownCpu.push(o.cpu);
        log(`worktrees: muster with worktrees ${(o.wall / 1000).toFixed(2)} s wall, ${(o.cpu / 1000).toFixed(2)} s CPU`);
      };
      // the order alternates, neither side always meeting a warmer machine; the last round starts with the loop (its muster worktrees stay for the listing)
      if ((rounds - 1 - r) % 2 === 0) {
        await shellLoop();
        await withWorktrees();
      } else {
        await withWorktrees();
        await clearWorktrees(p.dir, 'muster/');
        await shellLoop();
      }
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
    log('worktrees: muster worktrees over 20 worktrees, beside git in a shell loop…');
    for (let i = 0; i < LISTING_RUNS; i++) {
      // each run: the two baselines and the two muster commands, one after the other on the same machine
      for (const [script, into] of [[PLAIN_SCRIPT, plainGit], [FACTS_SCRIPT, factsGit]]) {
        const t0 = performance.now();
        const out = await sh(p.dir, script, p.env);
        into.push(performance.now() - t0);
        if (!out.includes('muster/w/a19')) throw new Error(`the shell loop did not reach every worktree: ${out.slice(-300)}`);
      }
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
  const ms = (xs) => xs.map((v) => v.toFixed(0)).join(' ');
  const listRatio = (baseline) => listing.map((v, i) => v / baseline[i]);
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
      [`\`muster worktrees\`, ${AGENTS} worktrees`, msCell(median(listing)), ms(listing)],
      [`\`muster worktrees --json\`, ${AGENTS} worktrees`, msCell(median(listingJson)), ms(listingJson)],
      [`baseline: \`git worktree list\` + \`git status\` in each of the ${AGENTS}, shell loop`, msCell(median(plainGit)), ms(plainGit)],
      ['ratio `muster worktrees` / that baseline, per run', `${median(listRatio(plainGit)).toFixed(2)}×`, list(listRatio(plainGit), (v) => v.toFixed(2))],
      [`baseline: the same facts from git (status, ahead/behind, numstat committed and uncommitted), shell loop`, msCell(median(factsGit)), ms(factsGit)],
      ['ratio `muster worktrees` / that baseline, per run', `${median(listRatio(factsGit)).toFixed(2)}×`, list(listRatio(factsGit), (v) => v.toFixed(2))],
    ],
    notes: [
      `The repository: ${files.toLocaleString('en')} files of ~220 bytes in folders of 100, one commit, packed (as a clone is). Each round runs the shell loop and muster with worktrees (which goes first alternates; the last round starts with the loop), then muster without; the worktrees of one are removed (untimed) before the next.`,
      'muster: from spawning `muster up --headless` until its output shows every agent started; the worktrees are made in the agents\' launches (git\'s part one at a time per repository, as `git worktree add` runs in one repository can fail reading each other\'s records).',
      'CPU: user + system time of the shell, or of the supervisor, and of the processes they waited for (the git runs), from /proc/PID/stat. On a virtual machine that reports no steal time it swings with the host\'s load as wall time does; compare the two sides of one round. The supervisor\'s own start (tmux, panes, cgroups) is in muster\'s figures.',
      '`muster worktrees`: the whole command (Node start, team files, git); each worktree with one commit and one uncommitted change; git is asked at most 6 worktrees at a time.',
      `Baselines, timed in the same ${LISTING_RUNS} runs (each run: both baselines, then both muster commands): \`git worktree list\` and \`git status\` in each worktree (what a user types to see the worktrees' state), and the facts muster shows asked of git in a shell loop (\`git status\`, \`git rev-list --left-right --count main...BRANCH\`, \`git diff --numstat main...BRANCH\`, \`git diff --numstat HEAD\` per worktree). Ratios pair each muster run with the baseline of the same run.`,
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
