/**
 * `muster init` on a terminal: the real binary in a pty, its Ink form read back through a
 * terminal emulator and answered with keys. Stand-ins named claude and codex on PATH are
 * there for detection only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { makeRepo } from '../helpers/git.js';
import { MAIN, makeProject, type TestProject } from '../helpers/project.js';
import { cleanEnv } from '../helpers/tmux.js';
import { PtyScreen } from '../ui/pty-screen.js';

// Each test runs the real binary several times in a row: on a loaded machine a run takes seconds.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const projects: TestProject[] = [];
const screens: PtyScreen[] = [];
afterAll(async () => {
  for (const s of screens) await s.kill();
  await Promise.all(
    projects.map((p) => {
      fs.rmSync(`${p.dir}-bin`, { recursive: true, force: true });
      return p.destroy();
    }),
  );
});

const DOWN = '\x1b[B';
const ENTER = '\r';
const ESC = '\x1b';

function openInit(label: string, opts: { repo?: boolean } = {}): { p: TestProject; screen: PtyScreen } {
  const p = makeProject(label);
  projects.push(p);
  if (opts.repo) makeRepo(p.dir);
  const bin = `${p.dir}-bin`;
  fs.mkdirSync(bin, { recursive: true });
  for (const name of ['claude', 'codex']) fs.writeFileSync(path.join(bin, name), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const env = cleanEnv({ PATH: `${bin}:/usr/local/bin:/usr/bin:/bin` });
  delete env.CI; // Ink draws only a last frame when it believes it runs in CI
  const screen = new PtyScreen(process.execPath, [MAIN, '-C', p.dir, 'init'], { cols: 100, rows: 30, env, cwd: p.dir });
  screens.push(screen);
  return { p, screen };
}

/**
 * Waits for a question on screen, then presses the keys; before the last one (Enter), waits
 * until the screen shows `ready` (what the keys before it did), so no key outruns the form.
 */
async function answer(screen: PtyScreen, question: RegExp, keys: string[], ready?: RegExp): Promise<void> {
  await screen.waitFor(String(question), (text) => question.test(text), 90_000);
  await new Promise((r) => setTimeout(r, 300)); // the question's input handler is attached after it is drawn
  for (const k of keys.slice(0, -1)) {
    screen.write(k);
    await new Promise((r) => setTimeout(r, 150));
  }
  if (ready) await screen.waitFor(String(ready), (text) => ready.test(text), 90_000);
  screen.write(keys[keys.length - 1] ?? '');
}

describe('muster init on a terminal', () => {
  it('asks shape, CLIs and counts, server, worktrees (in a repository with a commit), memory and name, then writes a team that validates', async () => {
    const { p, screen } = openInit('initform', { repo: true });
    await answer(screen, /What shape of team\?/, [ENTER]);
    // the CLIs found on PATH are picked already
    await screen.waitFor('claude and codex found', (text) => /claude \(found\)/.test(text) && /codex \(found\)/.test(text) && /gemini \(not on PATH\)/.test(text), 90_000);
    await answer(screen, /Which agent CLIs\?/, [ENTER]);
    await answer(screen, /How many claude agents\?/, [DOWN, ENTER], /❯ 2/);
    await answer(screen, /How many codex agents\?/, [ENTER]);
    await answer(screen, /A dev server to run beside them\?/, ['npm run dev -- --port 3000', ENTER], /npm run dev -- --port 3000/);
    await answer(screen, /git worktree of its own\?/, [DOWN, ENTER], /❯ Yes/);
    await answer(screen, /Memory limit per agent\?/, [ENTER]);
    await answer(screen, /The team's name\?/, ['web', ENTER], /name\?.*\n.*web/);
    const exit = await Promise.race([screen.exited, new Promise<null>((r) => setTimeout(() => r(null), 90_000))]);
    expect(exit?.exitCode, screen.text()).toBe(0);
    await screen.settle();
    expect(screen.output()).toMatch(/wrote muster\.yaml and teams\/web\.yaml: team web, 4 agent\(s\): claude-1, claude-2, codex, server/);
    expect(screen.output()).toMatch(/next: muster/);

    const team = parse(fs.readFileSync(path.join(p.dir, 'teams/web.yaml'), 'utf8')) as {
      defaults: { worktree?: string };
      agents: Record<string, { run: string; uses?: string[]; worktree?: string }>;
    };
    expect(Object.keys(team.agents)).toEqual(['claude-1', 'claude-2', 'codex', 'server']);
    // the coding agents on branches of their own; the dev server stays in the checkout
    expect(team.defaults.worktree).toBe('own');
    expect(team.agents.server?.worktree).toBe('off');
    expect(team.agents.server).toMatchObject({ run: 'npm run dev -- --port 3000', uses: ['port:3000'] });
    const v = await p.muster(['validate']);
    expect(v.code, v.stderr).toBe(0);
  });

  it('Esc cancels and writes nothing', async () => {
    const { p, screen } = openInit('initcancel');
    await answer(screen, /What shape of team\?/, [ESC]);
    const exit = await Promise.race([screen.exited, new Promise<null>((r) => setTimeout(() => r(null), 90_000))]);
    expect(exit?.exitCode).toBe(1);
    expect(screen.output()).toMatch(/init cancelled; nothing was written/);
    expect(fs.readdirSync(p.dir)).toEqual([]);
  });
});
