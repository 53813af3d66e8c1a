/** `npm run agents:capture`: the screens of the real qwen CLI in each state (see capture.ts). */
import { expect, it } from 'vitest';
import { captureCli } from './capture.js';

it('captures the screens of qwen', async () => {
  expect((await captureCli('qwen')).length).toBeGreaterThan(0);
});
