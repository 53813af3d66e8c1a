/** `npm run agents:capture`: the screens of the real claude CLI in each state (see capture.ts). */
import { expect, it } from 'vitest';
import { captureCli } from './capture.js';

it('captures the screens of claude', async () => {
  expect((await captureCli('claude')).length).toBeGreaterThan(0);
});
