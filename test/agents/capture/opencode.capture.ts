/** `npm run agents:capture`: the screens of the real opencode CLI in each state (see capture.ts). */
import { expect, it } from 'vitest';
import { captureCli } from './capture.js';

it('captures the screens of opencode', async () => {
  expect((await captureCli('opencode')).length).toBeGreaterThan(0);
});
