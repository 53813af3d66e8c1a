/**
 * The pulse's look at a pane: a capture only when the log grew since the last one, the
 * cached screen judged again as the quiet time crosses the preset's thresholds, and a
 * prompt seen while the output never goes quiet.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PresetSpec } from '../../../src/config/preset-types.js';
import { PaneObserver } from '../../../src/supervisor/pane-observer.js';
import { builtinPreset } from '../../helpers/presets.js';

const S = 1000;
let codex: PresetSpec;
let dir: string;
beforeAll(async () => {
  codex = await builtinPreset('codex');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const IDLE = ['• Done.', '', '› Ask Codex to do anything', '', '  ? for shortcuts'].join('\n');
const ASKING = ['  Would you like to run the following command?', '  $ touch x', '› 1. Yes, proceed (y)', '  3. No, and tell Codex what to do differently (esc)', '', '  Press enter to confirm or esc to cancel'].join('\n');

function world() {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-observer-'));
  const log = path.join(dir, 'a.log');
  fs.writeFileSync(log, '');
  const w = { screen: IDLE, grow: (n = 10) => fs.appendFileSync(log, 'x'.repeat(n)) };
  const observer = new PaneObserver(async () => w.screen, () => log);
  return { ...w, observer, set: (s: string) => (w.screen = s) };
}

describe('PaneObserver', () => {
  it('captures only when the log grew; a quiet screen is judged again as the quiet time passes', async () => {
    const w = world();
    w.observer.launched('t/a', 0);
    w.grow();
    const a = await w.observer.look('t/a', '%1', codex, 0);
    expect(a.verdict).toMatchObject({ activity: 'busy', reason: 'output' });
    expect(w.observer.captures).toBe(1);
    const b = await w.observer.look('t/a', '%1', codex, 2 * S);
    expect(b.verdict).toMatchObject({ activity: 'busy', reason: 'output' });
    const c = await w.observer.look('t/a', '%1', codex, 4 * S);
    expect(c.verdict).toMatchObject({ activity: 'idle', reason: 'prompt' });
    expect(c.quietMs).toBe(4 * S);
    await w.observer.look('t/a', '%1', codex, 60 * S);
    expect(w.observer.captures).toBe(1); // the same log size: the cached screen, no capture
  });

  it('sees a prompt while the output never goes quiet (a title that blinks)', async () => {
    const w = world();
    w.observer.launched('t/a', 0);
    w.set(ASKING);
    for (let t = 0; t < 5; t++) {
      w.grow(3);
      const look = await w.observer.look('t/a', '%1', codex, t * 500);
      expect(look.quietMs).toBe(0);
      expect(look.verdict).toMatchObject({ activity: 'waiting', reason: 'permission' });
    }
    expect(w.observer.captures).toBe(5);
  });

  it('reads the screen again after typing, and on a fresh look', async () => {
    const w = world();
    w.observer.launched('t/a', 0);
    await w.observer.look('t/a', '%1', codex, 10 * S);
    w.observer.typed('t/a', 11 * S);
    w.set(IDLE.replace('Ask Codex to do anything', 'half a thought'));
    const typed = await w.observer.look('t/a', '%1', codex, 12 * S);
    expect(typed.verdict).toMatchObject({ activity: 'busy', reason: 'output' });
    const fresh = await w.observer.look('t/a', '%1', codex, 20 * S, true);
    expect(fresh.verdict).toMatchObject({ activity: 'idle', reason: 'draft' });
    expect(w.observer.captures).toBe(3);
  });
});
