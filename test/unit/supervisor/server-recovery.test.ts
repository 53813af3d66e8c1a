import { describe, expect, it } from 'vitest';
import { recoveryVerdict, ServerRecovery, type RecoveryPort } from '../../../src/supervisor/server-recovery.js';

const policy = { maxLosses: 3, windowMs: 60_000 };

describe('recoveryVerdict', () => {
  it.each([
    { losses: [], now: 0, recover: true, kept: [0] },
    { losses: [0, 1000], now: 2000, recover: true, kept: [0, 1000, 2000] },
    { losses: [0, 1000, 2000], now: 3000, recover: false, kept: [0, 1000, 2000, 3000] },
    // losses older than the window are forgotten
    { losses: [0, 1000, 2000], now: 61_500, recover: true, kept: [2000, 61_500] },
    { losses: [0, 1000, 2000], now: 60_000, recover: true, kept: [1000, 2000, 60_000] },
  ])('$losses then a loss at $now → recover $recover', ({ losses, now, recover, kept }) => {
    expect(recoveryVerdict(losses, now, policy)).toEqual({ recover, losses: kept });
  });
});

function fakePort(over: Partial<RecoveryPort> = {}) {
  const calls: string[] = [];
  let t = 0;
  const port: RecoveryPort = {
    serverAnswers: async () => false,
    reopen: async () => void calls.push('reopen'),
    reconnected: async (reason, lost) => void calls.push(`reconnected ${reason} ${lost}`),
    giveUp: (why) => void calls.push(`give up: ${why}`),
    now: () => (t += 1000),
    ...over,
  };
  return { port, calls };
}

describe('ServerRecovery', () => {
  it('reopens and tells the supervisor whether the server itself was lost', async () => {
    const { port, calls } = fakePort({ serverAnswers: async () => true });
    await new ServerRecovery(port, policy).lost('client killed');
    expect(calls).toEqual(['reopen', 'reconnected client killed false']);
  });

  it('gives up past the limit, saying how often and why', async () => {
    const { port, calls } = fakePort();
    const r = new ServerRecovery(port, policy);
    for (let i = 0; i < 4; i++) await r.lost(`crash ${i}`);
    expect(calls.filter((c) => c === 'reopen')).toHaveLength(3);
    expect(calls.at(-1)).toBe("give up: the connection to the crew's tmux server was lost 4 times within 60 s (last: crash 3); muster stopped trying");
  });

  it('gives up when the server cannot be reached again', async () => {
    const { port, calls } = fakePort({ reopen: async () => Promise.reject(new Error('tmux: command not found')) });
    await new ServerRecovery(port, policy).lost('crash');
    expect(calls).toEqual(["give up: the crew's tmux server was lost (crash) and could not be reached again: tmux: command not found"]);
  });

  it('shares one recovery between losses reported at the same time', async () => {
    const { port, calls } = fakePort();
    const r = new ServerRecovery(port, policy);
    await Promise.all([r.lost('a'), r.lost('b')]);
    expect(calls).toEqual(['reopen', 'reconnected a true']);
  });
});
