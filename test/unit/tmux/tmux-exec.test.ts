import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { socketNameFor } from '../../../src/tmux/crew-server.js';
import { TmuxNotFoundError } from '../../../src/tmux/errors.js';
import { crewEnv, findTmux, parseTmuxVersion } from '../../../src/tmux/tmux-exec.js';

describe('parseTmuxVersion', () => {
  it.each([
    ['tmux 3.3a', { version: '3.3a', major: 3, minor: 3 }],
    ['tmux 3.0', { version: '3.0', major: 3, minor: 0 }],
    ['tmux 2.9a', { version: '2.9a', major: 2, minor: 9 }],
    ['tmux next-3.5', { version: '3.5', major: 3, minor: 5 }],
    ['tmux 3.2-rc3', { version: '3.2-rc3', major: 3, minor: 2 }],
    ['tmux master', { version: 'master', major: 99, minor: 0 }],
    ['nonsense', null],
  ])('%s', (text, want) => {
    expect(parseTmuxVersion(text)).toEqual(want);
  });
});

describe('findTmux', () => {
  it('finds the tmux on PATH', async () => {
    const info = await findTmux();
    expect(info.major).toBeGreaterThanOrEqual(3);
  });

  it('says how to install tmux when it is missing', async () => {
    const err = await findTmux('/nonexistent/tmux-for-muster-test').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TmuxNotFoundError);
    expect((err as TmuxNotFoundError).hint).toMatch(/install/);
  });
});

describe('crewEnv', () => {
  it('drops TMUX, TMUX_PANE and CLAUDECODE and keeps the rest', () => {
    expect(crewEnv({ TMUX: '/tmp/x,1,0', TMUX_PANE: '%1', CLAUDECODE: '1', PATH: '/bin', TMUX_TMPDIR: '/t' })).toEqual({ PATH: '/bin', TMUX_TMPDIR: '/t' });
  });
});

describe('socketNameFor', () => {
  it('is muster-<sanitized basename>-<8 hex>, stable for a directory', () => {
    const a = socketNameFor('/home/me/My Project!');
    expect(a).toMatch(/^muster-my-project-[0-9a-f]{8}$/);
    expect(socketNameFor('/home/me/My Project!/')).toBe(a);
    expect(socketNameFor('/home/other/My Project!')).not.toBe(a);
  });

  it('keeps the basename to 20 characters and resolves relative paths', () => {
    expect(socketNameFor('/x/abcdefghijklmnopqrstuvwxyz')).toMatch(/^muster-abcdefghijklmnopqrst-[0-9a-f]{8}$/);
    expect(socketNameFor('.')).toBe(socketNameFor(path.resolve('.')));
    expect(socketNameFor('/')).toMatch(/^muster-project-[0-9a-f]{8}$/);
  });
});
