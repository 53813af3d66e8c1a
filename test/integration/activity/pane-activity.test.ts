/**
 * Activity of a real pane: a stand-in agent on a tmux server of this test's own works
 * (prints), asks a yes/no question, then sits at a prompt. Its output goes to a log file
 * through pipe-pane; the test samples the log size as the supervisor will (fs.stat), and
 * captures the screen only once the pane is quiet.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityTracker } from '../../../src/activity/activity-tracker.js';
import { classify, type Activity } from '../../../src/activity/classify.js';
import type { PresetSpec } from '../../../src/config/preset-types.js';
import { builtinPreset } from '../../helpers/presets.js';
import { killTestServer, tmuxOn, uniqueSocket, waitFor } from '../../helpers/tmux.js';

const socket = uniqueSocket('activity');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-activity-'));
const log = path.join(dir, 'agent.log');
const THRESHOLD = 400;
let pane = '';
let shell: PresetSpec;

const AGENT = [
  'i=0; while [ $i -lt 12 ]; do echo "working $i"; i=$((i+1)); sleep 0.1; done',
  "printf 'Overwrite the build? [y/N] '; read a; echo \"answer $a\"",
  "printf 'agent$ '; read b; echo \"got $b\"; printf 'agent$ '; sleep 600",
].join('; ');

beforeAll(async () => {
  shell = { ...(await builtinPreset('shell')), quietMs: THRESHOLD };
  const r = await tmuxOn(socket, ['new-session', '-d', '-x', '100', '-y', '30', '-P', '-F', '#{pane_id}', 'sh', '-c', `sleep 0.3; ${AGENT}`]);
  expect(r.code).toBe(0);
  pane = r.stdout.trim();
  expect((await tmuxOn(socket, ['pipe-pane', '-t', pane, '-o', `cat >> '${log}'`])).code).toBe(0);
});
afterAll(async () => {
  await killTestServer(socket);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('activity of a real pane', () => {
  it('goes busy → waiting → idle → busy as the agent works, asks, and gets a message', async () => {
    const tracker = new ActivityTracker();
    const seen: Activity[] = [];
    const pulse = async (): Promise<Activity> => {
      const size = fs.existsSync(log) ? fs.statSync(log).size : 0;
      const quietMs = tracker.observe('t/agent', size, Date.now());
      // the screen is captured only once the output has gone quiet
      const screen = quietMs >= THRESHOLD ? (await tmuxOn(socket, ['capture-pane', '-p', '-t', pane])).stdout : null;
      const a = classify({ preset: shell, screen, quietMs }).activity;
      if (seen[seen.length - 1] !== a) seen.push(a);
      return a;
    };
    await waitFor('busy while it prints', async () => (await pulse()) === 'busy' && fs.existsSync(log) && fs.statSync(log).size > 0, 15_000);
    await waitFor('waiting on its question', async () => (await pulse()) === 'waiting', 15_000);
    await tmuxOn(socket, ['send-keys', '-t', pane, 'y', 'Enter']);
    await waitFor('idle at its prompt', async () => (await pulse()) === 'idle', 15_000);
    await tmuxOn(socket, ['send-keys', '-t', pane, '-l', 'hello']);
    await tmuxOn(socket, ['send-keys', '-t', pane, 'Enter']);
    await waitFor('busy again on new output', async () => (await pulse()) === 'busy', 15_000);
    await waitFor('idle again', async () => (await pulse()) === 'idle', 15_000);
    // in this order (a loaded machine may add a state in between, e.g. idle before the first output)
    const order = ['busy', 'waiting', 'idle', 'busy', 'idle'];
    let at = 0;
    for (const a of seen) if (a === order[at]) at++;
    expect(at, `states seen: ${seen.join(' → ')}`).toBe(order.length);
    expect(fs.readFileSync(log, 'utf8')).toContain('got hello');
  });
});
