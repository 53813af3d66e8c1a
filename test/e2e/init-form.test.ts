/**
 * `muster init` on a terminal: the real binary in a pty, its Ink form read back through a
 * terminal emulator and answered with keys. Stand-ins named claude and codex on PATH are
 * there for detection only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MAIN, makeProject, type TestProject } from '../helpers/project.js';
import { cleanEnv } from '../helpers/tmux.js';
import { PtyScreen } from '../ui/pty-screen.js';

const projects: TestProject[] = [];
const screens: PtyScreen[] = [];
afterAll(async () => {
  for (const s of screens) await s.kill();
  for (const p of projects) {
    fs.rmSync(`${p.dir}-bin`, { recursive: true, force: true });
    await p.destroy();
  }
});

const DOWN = '\x1b[B';
const ENTER = '\r';
const ESC = '\x1b';

function openInit(label: string): { p: TestProject; screen: PtyScreen } {
  const p = makeProject(label);
  projects.push(p);
  const bin = `${p.dir}-bin`;
  fs.mkdirSync(bin, { recursive: true });
  for (const name of ['claude', 'codex']) fs.writeFileSync(path.join(bin, name), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const env = cleanEnv({ PATH: `${bin}:/usr/local/bin:/usr/bin:/bin` });
  delete env.CI; // Ink draws only a last frame when it believes it runs in CI
  const screen = new PtyScreen(process.execPath, [MAIN, '-C', p.dir, 'init'], { cols: 100, rows: 30, env, cwd: p.dir });
  screens.push(screen);
  return { p, screen };
}

/** Waits for a question on screen, then presses the keys. */
async function answer(screen: PtyScreen, question: RegExp, keys: string[]): Promise<void> {
  await screen.waitFor(String(question), (text) => question.test(text), 30_000);
  for (const k of keys) {
    screen.write(k);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('muster init on a terminal', () => {
  it('asks shape, CLIs and counts, server, worktrees, memory and name, then writes a team that validates', async () => {
    const { p, screen } = openInit('initform');
    await answer(screen, /What shape of team\?/, [ENTER]);
    // the CLIs found on PATH are picked already
    await screen.waitFor('claude and codex found', (text) => /claude \(found\)/.test(text) && /codex \(found\)/.test(text) && /gemini \(not on PATH\)/.test(text));
    await answer(screen, /Which agent CLIs\?/, [ENTER]);
    await answer(screen, /How many claude agents\?/, [DOWN, ENTER]);
    await answer(screen, /How many codex agents\?/, [ENTER]);
    await answer(screen, /A dev server to run beside them\?/, ['npm run dev -- --port 3000', ENTER]);
    await answer(screen, /git worktree of its own\?/, [ENTER]);
    await answer(screen, /Memory limit per agent\?/, [ENTER]);
    await answer(screen, /The team's name\?/, ['web', ENTER]);
    const exit = await Promise.race([screen.exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
    expect(exit?.exitCode, screen.text()).toBe(0);
    await screen.settle();
    expect(screen.output()).toMatch(/wrote muster\.yaml and teams\/web\.yaml: team web, 4 agent\(s\): claude-1, claude-2, codex, server/);
    expect(screen.output()).toMatch(/next: muster/);

    const team = parse(fs.readFileSync(path.join(p.dir, 'teams/web.yaml'), 'utf8')) as { agents: Record<string, { run: string; uses?: string[] }> };
    expect(Object.keys(team.agents)).toEqual(['claude-1', 'claude-2', 'codex', 'server']);
    expect(team.agents.server).toMatchObject({ run: 'npm run dev -- --port 3000', uses: ['port:3000'] });
    const v = await p.muster(['validate']);
    expect(v.code, v.stderr).toBe(0);
  });

  it('Esc cancels and writes nothing', async () => {
    const { p, screen } = openInit('initcancel');
    await answer(screen, /What shape of team\?/, [ESC]);
    const exit = await Promise.race([screen.exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
    expect(exit?.exitCode).toBe(1);
    expect(screen.output()).toMatch(/init cancelled; nothing was written/);
    expect(fs.readdirSync(p.dir)).toEqual([]);
  });
});
