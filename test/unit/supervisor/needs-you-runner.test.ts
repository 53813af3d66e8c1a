/**
 * Needs-you through the real runner (docs/needs-you.md): a prompt on an agent's screen
 * reaches the notifiers once, as an event line with its screen line; nobody is notified
 * while someone is attached to that agent's pane (the line says suppressed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentLogFile } from '../../../src/supervisor/paths.js';
import { builtinPreset } from '../../helpers/presets.js';
import { agent } from '../../helpers/specs.js';
import { project, World } from './world.js';

const claude = await builtinPreset('claude');
const permission = fs.readFileSync(new URL('../../fixtures/screens/claude/permission.txt', import.meta.url), 'utf8');
const idle = fs.readFileSync(new URL('../../fixtures/screens/claude/idle-fresh.txt', import.meta.url), 'utf8');

const worlds: World[] = [];
afterEach(() => {
  for (const w of worlds.splice(0)) w.dispose();
});

function world(): World {
  const w = new World(project([agent('a', { preset: claude, run: 'claude' })]));
  worlds.push(w);
  return w;
}

/** The agent's pane now shows `screen` (and its log grew, as output does). */
function show(w: World, screen: string): void {
  w.machine.paneOf('t/a')!.screen = screen;
  const log = agentLogFile(w.paths, 't/a');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.appendFileSync(log, screen);
}

describe('needs-you in the runner', () => {
  it('a permission prompt: one notification with the screen line, again only after the prompt went away and came back', async () => {
    const w = world();
    const runner = await w.runner();
    show(w, idle);
    await w.clock.advance(2000);
    show(w, permission);
    await w.clock.advance(2000);
    await w.clock.advance(2000);
    await runner.notified();
    expect(w.notified.map((e) => [e.kind, e.agent, e.reason])).toEqual([['waiting', 't/a', 'permission']]);
    expect(w.notified[0]?.detail).toMatch(/Do you want to/);
    const lines = (w.ledger.events as { kind: string; needs?: { suppressed: boolean } }[]).filter((e) => e.kind === 'needs-you');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.needs?.suppressed).toBe(false);
    expect(runner.status().agents[0]?.needsYou).toEqual({ kind: 'waiting', reason: 'permission' });

    show(w, idle); // answered
    await w.clock.advance(2000);
    expect(runner.status().agents[0]?.needsYou).toBeNull();
    show(w, permission);
    await w.clock.advance(2000);
    await runner.notified();
    expect(w.notified).toHaveLength(2);
    await runner.shutdown();
  });

  it('nobody is notified while a tmux client is attached to the agent’s pane; the event line says so', async () => {
    const w = world();
    const runner = await w.runner();
    const pane = w.machine.paneOf('t/a')!;
    w.machine.viewed.add(pane.paneId);
    show(w, permission);
    await w.clock.advance(2000);
    await w.clock.advance(2000);
    await runner.notified();
    expect(w.notified).toEqual([]);
    const lines = (w.ledger.events as { kind: string; needs?: { suppressed: boolean } }[]).filter((e) => e.kind === 'needs-you');
    expect(lines.map((l) => l.needs?.suppressed)).toEqual([true]);
    await runner.shutdown();
  });
});
