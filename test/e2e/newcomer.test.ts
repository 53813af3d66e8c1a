/**
 * A newcomer's first minutes with the real binary: `muster init` finds the agent CLIs on
 * PATH (small stand-ins named claude and codex, for detection only: the real CLIs are not
 * run here), refuses to overwrite a project, and in an empty git repository writes a team
 * that validates, comes up headless, shows in status and goes down.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { agentOf, makeProject, waitFor, type TestProject } from '../helpers/project.js';
import { serverAnswers } from '../helpers/tmux.js';
import { git } from '../helpers/git.js';

// Each test runs the real binary several times in a row: on a loaded machine a run takes seconds.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const projects: TestProject[] = [];
afterAll(async () => {
  await Promise.all(
    projects.map((p) => {
      fs.rmSync(`${p.dir}-bin`, { recursive: true, force: true });
      return p.destroy();
    }),
  );
});

function project(label: string): TestProject {
  const p = makeProject(label);
  projects.push(p);
  return p;
}

/** A folder of executables that stand in for agent CLIs on PATH (detection only). */
function fakeClis(p: TestProject, names: string[]): NodeJS.ProcessEnv {
  const bin = `${p.dir}-bin`;
  fs.mkdirSync(bin, { recursive: true });
  for (const name of names) fs.writeFileSync(path.join(bin, name), '#!/bin/sh\necho "stand-in for detection"\n', { mode: 0o755 });
  // Only the system folders besides: the machine's real PATH might hold real agent CLIs.
  return { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin` };
}

describe('muster init from flags', () => {
  it('detects the agent CLIs on PATH and writes a team of them that validates', async () => {
    const p = project('init-detect');
    const env = fakeClis(p, ['claude', 'codex']);
    const r = await p.muster(['init', '--name', 'web'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote muster\.yaml and teams\/web\.yaml: team web, 2 agent\(s\): claude, codex/);
    expect(r.stdout).toMatch(/^next: muster( -C \S+)? up/m);
    const team = parse(fs.readFileSync(path.join(p.dir, 'teams/web.yaml'), 'utf8')) as { agents: Record<string, { run: string; preset: string }> };
    expect(team.agents).toMatchObject({ claude: { run: 'claude', preset: 'claude' }, codex: { run: 'codex', preset: 'codex' } });
    expect(fs.readFileSync(path.join(p.dir, 'muster.yaml'), 'utf8')).toMatch(/commands: \[claude, codex\]/);
    const v = await p.muster(['validate'], { env });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain('ok: 1 team(s), 2 agent(s): web (2)');
  });

  it('with nothing on PATH it offers a shell, and notes the CLIs asked for that are missing', async () => {
    const p = project('init-none');
    const env = fakeClis(p, []);
    const r = await p.muster(['init', '--agents', 'shell:1,gemini:2', '--shape', 'pm-dev', '--memory', '1GiB'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/note: gemini is not on PATH yet/);
    const team = parse(fs.readFileSync(path.join(p.dir, `teams/${p.dir.split('/').pop()!.toLowerCase().replace(/[^a-z0-9_-]+/g, '-')}.yaml`), 'utf8')) as {
      defaults: { limits: { memory: string } };
      agents: Record<string, { after?: string[] }>;
    };
    expect(Object.keys(team.agents)).toEqual(['pm', 'dev-1', 'dev-2']);
    expect(team.agents['dev-1']!.after).toEqual(['pm']);
    expect(team.defaults.limits.memory).toBe('1GiB');
    expect((await p.muster(['validate'], { env })).code).toBe(0);
  });

  it('in a folder that already has a team: exit 2, nothing written; --force replaces', async () => {
    const p = project('init-exists');
    const mine = 'name: mine\nagents:\n  a: { run: exec sleep 1 }\n';
    p.write('teams/mine.yaml', mine);
    const r = await p.muster(['init', '--agents', 'shell:1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^muster: this folder already has a muster project \(teams\/mine\.yaml\); nothing was written\nhint: .*--force/);
    expect(fs.existsSync(path.join(p.dir, 'muster.yaml'))).toBe(false);
    expect(fs.readFileSync(path.join(p.dir, 'teams/mine.yaml'), 'utf8')).toBe(mine);

    const f = await p.muster(['init', '--agents', 'shell:1', '--name', 'mine', '--force']);
    expect(f.code, f.stderr).toBe(0);
    expect(fs.readFileSync(path.join(p.dir, 'teams/mine.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=/);
    expect((await p.muster(['validate'])).code).toBe(0);
  });

  it('--worktrees needs a git repository with a commit: refused (exit 2, nothing written) until there is one', async () => {
    const p = project('init-worktrees');
    const none = await p.muster(['init', '--agents', 'claude:2', '--worktrees']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^muster: --worktrees needs a git repository with a commit, and this folder is in no git repository; nothing was written\nhint: Run `git init && git commit --allow-empty -m start` first/);
    git(p.dir, 'init', '-q', '-b', 'main');
    const empty = await p.muster(['init', '--agents', 'claude:2', '--worktrees']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/this repository has no commit yet; nothing was written\nhint: Run `git commit --allow-empty -m start` first/);
    expect(fs.readdirSync(p.dir)).toEqual(['.git']);
    git(p.dir, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'start');
    const ok = await p.muster(['init', '--agents', 'claude:2', '--worktrees']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(fs.readFileSync(path.join(p.dir, fs.readdirSync(path.join(p.dir, 'teams')).map((f) => `teams/${f}`)[0] ?? ''), 'utf8')).toMatch(/^  worktree: own/m);
    const v = await p.muster(['validate']);
    expect(v.code, v.stderr).toBe(0);
  });

  it('bad flags are bad usage (exit 2) and write nothing', async () => {
    const p = project('init-bad');
    for (const args of [['--agents', 'cursor:2'], ['--agents', 'claude:0'], ['--name', 'Bad Name'], ['--shape', 'swarm'], ['--memory', '2GB'], ['--shape', 'pm-dev', '--agents', 'claude']]) {
      const r = await p.muster(['init', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/^muster: /);
    }
    expect(fs.readdirSync(p.dir)).toEqual([]);
  });
});

describe('a newcomer: empty git repository → init → validate → up → status → down', () => {
  it('runs the crew init wrote', async () => {
    const p = project('newcomer');
    execFileSync('git', ['init', '-q', p.dir]);
    // shells as agents (no AI CLI runs here) and a small server that listens on a port
    const server = `node -e "require('http').createServer((q, s) => s.end('ok')).listen(0); setInterval(() => {}, 1000)"`;
    const shellEnv = { SHELL: '/bin/sh' };
    const init = await p.muster(['init', '--agents', 'shell:2', '--server', server, '--name', 'app'], { env: shellEnv });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/next: muster( -C \S+)? up/);

    const v = await p.muster(['validate']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain('ok: 1 team(s), 3 agent(s): app (3)');

    const sup = p.headless([], shellEnv);
    const status = await waitFor('the crew running', async () => {
      const s = await p.status();
      return s.supervisor.running && s.agents.length === 3 && s.agents.every((a) => a.state === 'running') ? s : null;
    }, 120_000);
    expect(status.agents.map((a) => a.id)).toEqual(['app/shell-1', 'app/shell-2', 'app/server']);
    expect(agentOf(status, 'app/shell-1').pid).toBeGreaterThan(0);
    const table = await p.muster(['status']);
    for (const name of ['shell-1', 'shell-2', 'server']) expect(table.stdout).toMatch(new RegExp(`app/${name}\\s+running`));

    const down = await p.muster(['down']);
    expect(down.code, down.stderr).toBe(0);
    expect(await sup.exited).toBe(0);
    expect(await serverAnswers(p.socket)).toBe(false);
  });
});
