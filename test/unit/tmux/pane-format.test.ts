import { describe, expect, it } from 'vitest';
import { DeathWatch, PANE_FORMAT, parseDeathValue, parsePaneLine, type PaneLife } from '../../../src/tmux/pane-format.js';

describe('parsePaneLine', () => {
  it('has one field per tab in PANE_FORMAT', () => {
    expect(PANE_FORMAT.split('\t')).toHaveLength(12);
  });

  it.each([
    {
      name: 'a live agent pane',
      line: '%3\t4567\t0\t\t\t$1\t@2\t1\tfrontend/dev\t2\tfrontend\tWork',
      want: {
        paneId: '%3', panePid: 4567, dead: false, deadStatus: null, deadSignal: null, agentId: 'frontend/dev', attempt: '2',
        sessionId: '$1', sessionName: 'frontend', windowId: '@2', windowIndex: 1, windowName: 'Work',
      },
    },
    {
      name: 'a dead pane with an exit status, no muster options',
      line: '%0\t99\t1\t7\t\t$0\t@0\t0\t\t\t_muster\t_muster',
      want: {
        paneId: '%0', panePid: 99, dead: true, deadStatus: 7, deadSignal: null, agentId: null, attempt: null,
        sessionId: '$0', sessionName: '_muster', windowId: '@0', windowIndex: 0, windowName: '_muster',
      },
    },
    {
      name: 'killed by a signal; a window name with spaces',
      line: '%5\t10\t1\t\t9\t$2\t@7\t3\tb/x\t1\tb\tmy window',
      want: { dead: true, deadStatus: null, deadSignal: 9, windowName: 'my window', windowIndex: 3 },
    },
  ])('$name', ({ line, want }) => {
    expect(parsePaneLine(line)).toMatchObject(want);
  });

  it.each(['', 'garbage', '%1\t2\t0', 'x\t1\t0\t\t\t$0\t@0\t0\t\t\ts\tw'])('rejects %j', (line) => {
    expect(parsePaneLine(line)).toBeNull();
  });
});

describe('parseDeathValue', () => {
  it('reads every pane and skips malformed entries', () => {
    expect(parseDeathValue('%0=1/0//100 %1=0///101 %2=1//9/102 junk %3=1/x//1 ')).toEqual([
      { paneId: '%0', dead: true, status: 0, signal: null, pid: 100 },
      { paneId: '%1', dead: false, status: null, signal: null, pid: 101 },
      { paneId: '%2', dead: true, status: null, signal: 9, pid: 102 },
    ]);
  });

  it('reads an empty value', () => {
    expect(parseDeathValue('')).toEqual([]);
  });
});

describe('DeathWatch', () => {
  const life = (paneId: string, dead: boolean, status: number | null, pid: number, signal: number | null = null): PaneLife => ({
    paneId, dead, status, signal, pid,
  });

  it('reports a death once, and only once its status is known', () => {
    const w = new DeathWatch();
    expect(w.update([life('%1', false, null, 10)])).toEqual([]);
    expect(w.update([life('%1', true, null, 10)])).toEqual([]);
    expect(w.update([life('%1', true, 7, 10)])).toEqual([{ paneId: '%1', status: 7, signal: null, pid: 10 }]);
    expect(w.update([life('%1', true, 7, 10)])).toEqual([]);
  });

  it('reports a signal death with a null status', () => {
    expect(new DeathWatch().update([life('%2', true, null, 5, 9)])).toEqual([{ paneId: '%2', status: null, signal: 9, pid: 5 }]);
  });

  it('reports the same pane again after a respawn (new pid)', () => {
    const w = new DeathWatch();
    expect(w.update([life('%1', true, 0, 10)])).toHaveLength(1);
    expect(w.update([life('%1', true, 3, 11)])).toEqual([{ paneId: '%1', status: 3, signal: null, pid: 11 }]);
  });

  it('reports again when a pane came back to life and died with the same pid', () => {
    const w = new DeathWatch();
    w.update([life('%1', true, 0, 10)]);
    w.update([life('%1', false, null, 10)]);
    expect(w.update([life('%1', true, 1, 10)])).toHaveLength(1);
  });

  it('reports several panes at once and forgets panes that are gone', () => {
    const w = new DeathWatch();
    expect(w.update([life('%1', true, 0, 10), life('%2', true, 1, 20)]).map((d) => d.paneId)).toEqual(['%1', '%2']);
    w.update([life('%2', true, 1, 20)]);
    expect(w.update([life('%1', true, 0, 10), life('%2', true, 1, 20)]).map((d) => d.paneId)).toEqual(['%1']);
  });
});
