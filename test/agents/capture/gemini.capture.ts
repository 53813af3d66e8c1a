/** `npm run agents:capture`: the screens of the real gemini CLI in each state (see capture.ts). */
import { expect, it } from 'vitest';
import { captureCli } from './capture.js';

it('captures the screens of gemini', async () => {
  expect((await captureCli('gemini')).length).toBeGreaterThan(0);
});
