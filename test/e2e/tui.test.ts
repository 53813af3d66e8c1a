/**
 * The real `muster up` in a pty, its screen read back through a terminal emulator: the
 * grid shows the crew with figures, keys stop, reset and attach, `q` and a hang-up leave
 * the crew running for the next `muster up`, and `X` `y` cleans the crew up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOf, MAIN, makeProject, waitFor, type TestProject } from '../helpers/project.js';
import { serverAnswers, tuiEnv } from '../helpers/tmux.js';
import { PtyScreen } from '../ui/pty-screen.js';

let p: TestProject;
const screens: PtyScreen[] = [];

function openTui(): PtyScreen {
  const screen = new PtyScreen(process.execPath, [MAIN, '-C', p.dir, 'up'], { cols: 130, rows: 32, env: tuiEnv(), cwd: p.dir });
  screens.push(screen);
  return screen;
}

/** The grid row of an agent (`> ` marks the selected one). */
function rowOf(lines: string[], name: string): string | undefined {
  return lines.find((l) => new RegExp(`^[> ] crew\\s+${name}\\s`).test(l));
}

async function showsGrid(screen: PtyScreen, what = 'the grid'): Promise<void> {
  await screen.waitFor(what, (_t, lines) => rowOf(lines, 'sleeper')?.includes('running') && rowOf(lines, 'echo')?.includes('running'), 30_000);
}

/** Moves the selection to `name` with j/k. */
async function select(screen: PtyScreen, name: string): Promise<void> {
  await screen.waitFor(`${name} selected`, (_t, lines) => {
    if (rowOf(lines, name)?.startsWith('> ')) return true;
    const rows = lines.filter((l) => /^[> ] crew /.test(l));
    const at = rows.findIndex((l) => l.startsWith('> '));
    const want = rows.findIndex((l) => l === rowOf(lines, name));
    if (at >= 0 && want >= 0) screen.write(want > at ? 'j' : 'k');
    return false;
  });
}

beforeAll(async () => {
  p = makeProject('tui');
  p.write(
    'teams/crew.yaml',
    `name: crew
agents:
  sleeper:
    run: exec sleep 600
    limits: { cpu: 50%, memory: 256MiB }
    checkin: { every: 10m }
  echo:
    run: 'while read l; do echo "got:$l"; done'
  idle:
    run: exec sleep 600
`,
  );
});

afterAll(async () => {
  for (const s of screens) await s.kill();
  await p.destroy();
});

describe('muster up opens the TUI', () => {
  let tui: PtyScreen;
  let echoPid: number | null = null;

  it('shows the crew in the grid, with figures', async () => {
    tui = openTui();
    await showsGrid(tui);
    const lines = await tui.waitFor('memory figures', (_t, l) => (/\d+(\.\d)?M\/256M/.test(rowOf(l, 'sleeper') ?? '') ? l : null));
    expect(rowOf(lines, 'sleeper')).toMatch(/crew\s+sleeper\s+running\s+.*\d+\.\d\/50%/);
    expect(lines.join('\n')).toMatch(/machine cpu \d/);
    expect(lines.join('\n')).toMatch(/supervisor pid \d+/);
    expect(lines.join('\n')).toContain('q quit');
    const status = await p.status();
    expect(status.supervisor.running).toBe(true);
    echoPid = agentOf(status, 'crew/echo').pid;
  });

  it('fits a resized terminal', async () => {
    tui.resize(90, 14);
    const lines = await tui.waitFor('the smaller frame', (_t, l) => (l.some((x) => x.includes('q quit')) && rowOf(l, 'sleeper') ? l : null));
    expect(lines).toHaveLength(14);
    expect(lines[0]).toContain('muster');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(90);
    tui.resize(130, 32);
    await showsGrid(tui, 'the grid at full size again');
    await tui.waitFor('the hints at the bottom', (_t, l) => l.findIndex((x) => x.includes('q quit')) > 20);
  });

  it('stops the selected agent with s, and resets it with r', async () => {
    const before = agentOf(await p.status(), 'crew/sleeper').pid;
    await select(tui, 'sleeper');
    tui.write('s');
    await waitFor('sleeper to stop', async () => agentOf(await p.status(), 'crew/sleeper').state === 'stopped');
    await tui.waitFor('the grid to show it stopped', (_t, l) => rowOf(l, 'sleeper')?.includes('stopped'));
    expect(agentOf(await p.status(), 'crew/echo').state).toBe('running');
    tui.write('r');
    const after = await waitFor('sleeper to run again', async () => {
      const a = agentOf(await p.status(), 'crew/sleeper');
      return a.state === 'running' && a.pid !== null ? a.pid : null;
    });
    expect(after).not.toBe(before);
    await tui.waitFor('the grid to show it running', (_t, l) => rowOf(l, 'sleeper')?.includes('running'));
  });

  it('pauses and resumes with p', async () => {
    await select(tui, 'idle');
    tui.write('p');
    await waitFor('idle to pause', async () => agentOf(await p.status(), 'crew/idle').state === 'paused');
    await tui.waitFor('the grid to show it paused', (_t, l) => rowOf(l, 'idle')?.includes('paused'));
    tui.write('p');
    await waitFor('idle to resume', async () => agentOf(await p.status(), 'crew/idle').state === 'running');
  });

  it('types a message into the selected agent with m, and the preview shows its answer', async () => {
    await select(tui, 'echo');
    tui.write('m');
    await tui.waitFor('the message prompt', (t) => t.includes('message to crew/echo:'));
    tui.write('ping from the grid');
    await tui.waitFor('the typed text', (t) => t.includes('message to crew/echo: ping from the grid'));
    tui.write('\r');
    await tui.waitFor('the answer in the preview', (_t, l) => l.some((x) => x.startsWith('got:ping from the grid')));
    await tui.waitFor('the outcome on the event line', (t) => t.includes('message submitted to crew/echo'));
  });

  it('attaches to the selected agent with Enter and returns on Ctrl-]', async () => {
    await select(tui, 'echo');
    tui.write('\r');
    await tui.waitFor("the agent's own screen (tmux)", (t) => t.includes('[crew]') && !t.includes('q quit'));
    tui.write('hello from the tui\r');
    await tui.waitFor('the agent to answer', (t) => t.includes('got:hello from the tui'));
    tui.write('\x1d');
    await showsGrid(tui, 'the grid again');
    await tui.waitFor('the return noted', (t) => t.includes('back from the pane'));
    // The keyboard is the grid's again.
    await select(tui, 'sleeper');
    expect(agentOf(await p.status(), 'crew/echo').state).toBe('running');
  });

  it('lets a second TUI watch the same crew; q quits one and leaves the crew running', async () => {
    const second = openTui();
    await showsGrid(second, 'the grid of the second TUI');
    expect(second.output()).toContain('the supervisor already runs');

    tui.write('q');
    const exit = await Promise.race([tui.exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    expect(exit?.exitCode).toBe(0);
    expect(tui.output()).toContain('the crew keeps running');
    const status = await p.status();
    expect(status.supervisor.running).toBe(true);
    expect(agentOf(status, 'crew/echo')).toMatchObject({ state: 'running', pid: echoPid });

    // The other TUI still follows the crew.
    await select(second, 'sleeper');
    second.write('s');
    await waitFor('sleeper to stop', async () => agentOf(await p.status(), 'crew/sleeper').state === 'stopped');
    await second.waitFor('the second TUI to show it', (_t, l) => rowOf(l, 'sleeper')?.includes('stopped'));
    tui = second;
  });

  it('a new muster up after q shows the same crew', async () => {
    tui.write('q');
    await Promise.race([tui.exited, new Promise((r) => setTimeout(r, 15_000))]);
    expect(tui.hasExited).toBe(true);
    tui = openTui();
    await tui.waitFor('the same crew', (_t, l) => rowOf(l, 'echo')?.includes('running') && rowOf(l, 'sleeper')?.includes('stopped'), 30_000);
    expect(agentOf(await p.status(), 'crew/echo').pid).toBe(echoPid);
  });

  it('a closed terminal (SIGHUP) ends only the TUI', async () => {
    await tui.kill('SIGHUP');
    expect(tui.hasExited).toBe(true);
    const status = await p.status();
    expect(status.supervisor.running).toBe(true);
    expect(agentOf(status, 'crew/echo')).toMatchObject({ state: 'running', pid: echoPid });
  });

  it('X then y cleans the crew up: processes and tmux server gone', async () => {
    tui = openTui();
    await tui.waitFor('the grid', (_t, l) => rowOf(l, 'echo')?.includes('running'), 30_000);
    tui.write('X');
    await tui.waitFor('the confirmation', (t) => t.includes('EMERGENCY CLEANUP'));
    expect(await serverAnswers(p.socket)).toBe(true);
    tui.write('y');
    const exit = await Promise.race([tui.exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
    expect(exit?.exitCode).toBe(0);
    expect(tui.output()).toMatch(/cleanup: supervisor \(pid \d+\) killed/);
    expect(await serverAnswers(p.socket)).toBe(false);
    const status = await p.status();
    expect(status.supervisor.running).toBe(false);
  });
});
