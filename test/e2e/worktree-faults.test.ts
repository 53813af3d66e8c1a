/**
 * Worktree faults with the real binary: bad team files are refused by `validate` and `up`
 * (exit 2, FILE:LINE:COL, nothing started) when the project is not a git repository, has
 * no commit, names a base that does not exist, shares in a cycle or includes a file
 * outside the repository; and a kill -9 of the supervisor while `git worktree add` is in
 * its checkout is repaired by the next `up`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, makeRepo } from '../helpers/git.js';
import { processRows } from '../helpers/proc.js';
import { agentOf, makeProject, waitFor, type TestProject } from '../helpers/project.js';
import { alive, serverAnswers } from '../helpers/tmux.js';

const projects: TestProject[] = [];
afterEach(async () => {
  for (const p of projects.splice(0)) await p.destroy();
});

function project(label: string, team: string): TestProject {
  const p = makeProject(label);
  projects.push(p);
  p.write('teams/web.yaml', team);
  return p;
}

/** `validate` and `up --headless` both refuse with exit 2 and these problems; no tmux server was started. */
async function refused(p: TestProject, problems: RegExp[]): Promise<void> {
  for (const args of [['validate'], ['up', '--headless']]) {
    const r = await p.muster(args);
    expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
    for (const re of problems) expect(r.stderr).toMatch(re);
    expect(r.stderr).toMatch(/^hint: /m);
  }
  expect(await serverAnswers(p.socket)).toBe(false);
}

describe('team files refused before anything starts', () => {
  it('worktree: own in a folder that is not a git repository', async () => {
    const p = project('wt-norepo', 'name: web\nagents:\n  dev:\n    run: sleep 60\n    worktree: own\n');
    await refused(p, [/^teams\/web\.yaml:5:15: worktree: own needs a git repository, but .* is not in one: run `git init` and commit, or use worktree: off$/m]);
  });

  it('a repository without a commit', async () => {
    const p = project('wt-nocommit', 'name: web\ndefaults:\n  worktree: own\nagents:\n  dev: { run: sleep 60 }\n');
    git(p.dir, 'init', '-q', '-b', 'main');
    await refused(p, [/^teams\/web\.yaml:3:13: worktree: own needs a commit to start from, but the repository .* has none yet/m]);
  });

  it('a base that does not exist, named', async () => {
    const p = project('wt-base', 'name: web\nagents:\n  dev:\n    run: sleep 60\n    worktree: own\n    base: releaes/2.0\n');
    makeRepo(p.dir);
    await refused(p, [/^teams\/web\.yaml:6:11: unknown base "releaes\/2\.0": no branch, tag or commit of that name in /m]);
  });

  it('two agents told to share each other, and an include outside the repository', async () => {
    const p = project('wt-cycle', 'name: web\nagents:\n  a: { run: x, worktree: { share: b } }\n  b: { run: x, worktree: { share: a } }\n  c: { run: x, worktree: own, include: [../.env] }\n');
    makeRepo(p.dir);
    await refused(p, [
      /^teams\/web\.yaml:3:35: worktree share cycle: web\/a -> web\/b -> web\/a; one of them needs worktree: own$/m,
      /^teams\/web\.yaml:5:41: include "\.\.\/\.env" is outside the repository/m,
    ]);
  });
});

describe('kill -9 of the supervisor during worktree creation', () => {
  it('leaves a half-made worktree that the next up clears and makes again', async () => {
    const p = project('wt-crash', 'name: web\nagents:\n  dev:\n    run: echo started-in-$PWD; exec sleep 600\n    worktree: own\n');
    // a smudge filter that hangs holds `git worktree add` in its checkout
    makeRepo(p.dir, { 'README.md': 'hi\n', '.gitattributes': 'slow.txt filter=slow\n', 'slow.txt': 'slow content\n' });
    git(p.dir, 'config', 'filter.slow.smudge', 'sleep 120; cat');
    const dir = path.join(p.dir, '.muster/worktrees/web/dev');
    const admin = path.join(p.dir, '.git/worktrees/dev');
    const first = p.headless();
    await waitFor('git to be in its checkout', () => fs.existsSync(path.join(admin, 'locked')) && fs.existsSync(path.join(dir, '.git')), 60_000);
    // the supervisor and everything it started (git and its filter) die at once, as in a crash
    const supervisor = first.child.pid as number;
    const family = new Set([supervisor]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const row of processRows()) if (family.has(row.ppid) && !family.has(row.pid)) (family.add(row.pid), (grew = true));
    }
    expect([...family].length).toBeGreaterThan(1);
    for (const pid of family) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // it ended on its own meanwhile
      }
    }
    await first.exited;
    await waitFor('the family gone', () => [...family].every((pid) => !alive(pid)), 20_000);
    expect(fs.readFileSync(path.join(admin, 'locked'), 'utf8')).toMatch(/initializing/);
    expect(JSON.parse(fs.readFileSync(`${dir}.json`, 'utf8'))).toMatchObject({ state: 'creating' });

    git(p.dir, 'config', 'filter.slow.smudge', 'cat');
    const second = p.headless();
    await waitFor('dev running', async () => agentOf(await p.status(), 'web/dev').state === 'running', 90_000);
    await waitFor('the repair noted', () => /web\/dev\s+a half-made worktree \(an interrupted `git worktree add`\) was cleared/.test(second.output()), 30_000);
    expect(fs.readFileSync(path.join(dir, 'slow.txt'), 'utf8')).toBe('slow content\n');
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(git(p.dir, 'worktree', 'list', '--porcelain')).not.toMatch(/locked/);
    expect(JSON.parse(fs.readFileSync(`${dir}.json`, 'utf8'))).toMatchObject({ state: 'ready' });
    await waitFor('the agent in its worktree', () => fs.readFileSync(path.join(p.dir, '.muster/logs/web/dev.log'), 'utf8').includes(`started-in-${dir}`), 30_000);
  }, 240_000);
});
