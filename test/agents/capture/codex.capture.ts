/** `npm run agents:capture`: the screens of the real codex CLI in each state (see capture.ts). */
import { expect, it } from 'vitest';
import { captureCli } from './capture.js';

it('captures the screens of codex', async () => {
  expect((await captureCli('codex')).length).toBeGreaterThan(0);
});
