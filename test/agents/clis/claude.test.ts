/** The harness's own checks against the real claude CLI (see ../cli-suite.ts), and restart(). */
import { expect, it } from 'vitest';
import { describeCli } from '../cli-suite.js';
import { startAgent } from '../harness.js';

describeCli('claude');

it('restart() brings the CLI back in the same home: with --continue the next prompt carries the earlier one', async () => {
  const agent = await startAgent('claude');
  try {
    agent.server.script({ text: 'First answer.' }, { text: 'Second answer.' });
    await agent.pane.type('the first prompt (restart test)');
    await agent.pane.waitForScreen('the first answer', /First answer\./);
    await agent.waitIdle();
    await agent.restart({ args: ['--continue'] });
    await agent.pane.type('the second prompt (restart test)');
    await agent.pane.waitForScreen('the second answer', /Second answer\./);
    const last = agent.server.turns().at(-1);
    expect(last?.userText).toContain('the second prompt');
    expect(JSON.stringify(last?.body)).toContain('the first prompt (restart test)');
    expect(agent.server.timesReceived('the first prompt (restart test)')).toBe(1);
  } finally {
    await agent.stop();
  }
});
