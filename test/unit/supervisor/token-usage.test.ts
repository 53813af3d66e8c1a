/** Tokens per agent (src/supervisor/token-usage.ts): what the transcript reader is asked, each pulse. */
import { describe, expect, it } from 'vitest';
import type { CrewState } from '../../../src/core/agent-state.js';
import { newCrew } from '../../../src/core/crew-state.js';
import { cliFiles } from '../../../src/supervisor/agent-hooks.js';
import { statePaths } from '../../../src/supervisor/paths.js';
import type { TranscriptPort } from '../../../src/supervisor/ports.js';
import { TokenUsage } from '../../../src/supervisor/token-usage.js';
import type { SessionRef } from '../../../src/transcripts/locate.js';
import { builtinPreset } from '../../helpers/presets.js';
import { agent } from '../../helpers/specs.js';

describe('TokenUsage', () => {
  it("reads each session where the agent's CLI keeps it (the hooks' home for Gemini CLI), with its places worked out once, not every pulse", async () => {
    const spec = agent('crew/g', { env: { HOME: '/home/me' }, preset: await builtinPreset('gemini') });
    const paths = statePaths('/work/p');
    const asked: SessionRef[] = [];
    const port: TranscriptPort = {
      read: (_id, ref) => {
        asked.push(ref);
        return { tokens: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 }, byModel: [], calls: 0, files: [] };
      },
    };
    let worked = 0;
    const usage = new TokenUsage(port, [spec], [], (s) => {
      worked++;
      return cliFiles(s, paths);
    });
    const crew = newCrew([spec]);
    const running: CrewState = { ...crew, agents: { 'crew/g': { ...crew.agents['crew/g']!, attempt: 1, session: 'S1' } } };
    for (let pulse = 0; pulse < 3; pulse++) usage.read(running, pulse * 2000);
    expect(worked).toBe(1);
    expect(asked).toHaveLength(3);
    expect(asked[0]).toMatchObject({ format: 'gemini', session: 'S1', env: { HOME: '/home/me', GEMINI_CLI_HOME: '/work/p/.muster/homes/crew/g' } });
  });
});
