/** Trying tmux again while its server refuses clients (src/tmux/refused-retry.ts). */
import { describe, expect, it } from 'vitest';
import { TmuxCommandError, TmuxError } from '../../../src/tmux/errors.js';
import { refusedByServer, whileRefused } from '../../../src/tmux/refused-retry.js';

const refusal = () => new TmuxError('the tmux control client could not attach: server exited unexpectedly');

describe('whileRefused', () => {
  it('tries again while the server refuses, and returns what the first try that gets through gives', async () => {
    let tries = 0;
    const r = await whileRefused(10_000, async () => {
      if (++tries < 3) throw refusal();
      return 'attached';
    });
    expect([r, tries]).toEqual(['attached', 3]);
  });

  it('gives up at once on any other failure, or when the server no longer answers', async () => {
    let tries = 0;
    const other = new TmuxError('no server running');
    await expect(whileRefused(10_000, async () => { tries++; throw other; })).rejects.toBe(other);
    await expect(whileRefused(10_000, async () => { tries++; throw refusal(); }, async () => false)).rejects.toThrow(/exited unexpectedly/);
    expect(tries).toBe(2);
  });

  it('the last refusal is thrown once the time is up', async () => {
    let tries = 0;
    await expect(whileRefused(0, async () => { tries++; throw refusal(); })).rejects.toThrow(/exited unexpectedly/);
    expect(tries).toBeLessThanOrEqual(2);
  });

  it('knows the refusal as a failed command and as a client that could not attach, nothing else', () => {
    expect(refusedByServer(new TmuxCommandError('start-server', 'server exited unexpectedly'))).toBe(true);
    expect(refusedByServer(refusal())).toBe(true);
    expect(refusedByServer(new TmuxCommandError('x', 'duplicate session: _muster'))).toBe(false);
    expect(refusedByServer(new Error('server exited unexpectedly'))).toBe(false);
  });
});
