/** The TUI's side of needs-you (docs/needs-you.md): the terminal signal, `w`, the badge; `muster wait`'s judgement. */
import { describe, expect, it } from 'vitest';
import { judge, parseCondition, resolveNames, seenText } from '../../src/cli/wait-until.js';
import type { StatusView } from '../../src/supervisor/control/contract.js';
import { headerLines } from '../../src/ui/header-view.js';
import { keyToAction } from '../../src/ui/keymap.js';
import { needsYouSignal } from '../../src/ui/osc.js';
import { selectNextNeedsYou } from '../../src/ui/selection.js';
import { agent, snapshot, stateWith } from './fixtures.js';

const line = (agentId: string | null, suppressed = false) => ({ agent: agentId, message: `${agentId} is waiting (permission)`, needs: { suppressed } });

describe('the terminal signal of a needs-you line', () => {
  it('bell, OSC 9 and OSC 777; nothing for other lines, suppressed ones, or the agent attached to', () => {
    const s = needsYouSignal(line('t/a'), { attachedTo: null, quiet: false, insideTmux: false });
    expect(s).toBe('\x07\x1b]9;muster: t/a: t/a is waiting (permission)\x07\x1b]777;notify;muster: t/a;t/a is waiting (permission)\x07');
    expect(needsYouSignal({ agent: 't/a', message: 'started' }, { attachedTo: null, quiet: false, insideTmux: false })).toBe('');
    expect(needsYouSignal(line('t/a', true), { attachedTo: null, quiet: false, insideTmux: false })).toBe('');
    expect(needsYouSignal(line('t/a'), { attachedTo: 't/a', quiet: false, insideTmux: false })).toBe('');
    expect(needsYouSignal(line('t/b'), { attachedTo: 't/a', quiet: true, insideTmux: false }).startsWith('\x1b]9;')).toBe(true);
  });

  it('inside tmux the sequences are wrapped for passthrough', () => {
    const s = needsYouSignal(line(null), { attachedTo: null, quiet: true, insideTmux: true });
    expect(s.startsWith('\x1bPtmux;\x1b\x1b]9;muster: ')).toBe(true);
    expect(s.endsWith('\x1b\\')).toBe(true);
  });
});

describe('w and the badge', () => {
  const agents = [agent('crew/a'), agent('crew/b', { needsYou: { kind: 'waiting', reason: 'permission' } }), agent('crew/c'), agent('crew/d', { state: 'failed', needsYou: { kind: 'failed', reason: 'circuit' } })];

  it('w is the next-needs-you key', () => {
    expect(keyToAction('normal', 'w', {})).toEqual({ type: 'nextNeedsYou' });
  });

  it('selects the next agent that needs you, wrapping; stays put when none does', () => {
    let s = stateWith(snapshot(agents), { selectedId: 'crew/a' });
    s = selectNextNeedsYou(s);
    expect(s.selectedId).toBe('crew/b');
    s = selectNextNeedsYou(s);
    expect(s.selectedId).toBe('crew/d');
    s = selectNextNeedsYou(s);
    expect(s.selectedId).toBe('crew/b');
    const none = stateWith(snapshot([agent('crew/a'), agent('crew/c')]), { selectedId: 'crew/c' });
    expect(selectNextNeedsYou(none)).toBe(none);
  });

  it('the header counts the agents that need you', () => {
    const s = stateWith(snapshot(agents));
    const text = headerLines({ snapshot: s.snapshot, connected: true, filter: '', listed: 4, width: 200 })[0]!.map((x) => x.text).join('');
    expect(text).toContain('2 need you (w)');
  });
});

describe('muster wait', () => {
  const view = (over: Parameters<typeof agent>[1]): StatusView => snapshot([agent('crew/a', over), agent('crew/b', { activity: 'idle' })]);

  it('conditions, and ones that can no longer come', () => {
    const first = new Map([['crew/a', 'running, busy']]);
    const cases: [Parameters<typeof agent>[1], ReturnType<typeof parseCondition>, string][] = [
      [{ activity: 'idle' }, 'idle', 'holds'],
      [{ activity: 'busy' }, 'idle', 'wait'],
      [{ activity: 'waiting', activityReason: 'permission' }, 'waiting', 'holds'],
      [{ state: 'done', pid: null, activity: null }, 'done', 'holds'],
      [{ state: 'failed', pid: null, activity: null }, 'done', 'never'],
      [{ state: 'done', pid: null, activity: null }, 'idle', 'never'],
      [{ state: 'failed', pid: null, activity: null }, 'failed', 'holds'],
      [{ activity: 'busy' }, 'change', 'wait'],
      [{ activity: 'idle' }, 'change', 'holds'],
    ];
    for (const [over, condition, want] of cases) {
      expect([condition, over, judge(view(over), ['crew/a'], condition, first, new Set()).kind]).toEqual([condition, over, want]);
    }
  });

  it('every named agent must hold', () => {
    expect(judge(view({ activity: 'busy' }), ['crew/b', 'crew/a'], 'idle', new Map(), new Set()).kind).toBe('wait');
    expect(judge(view({ activity: 'idle' }), ['crew/b', 'crew/a'], 'idle', new Map(), new Set()).kind).toBe('holds');
  });

  it('names, conditions and what it prints', () => {
    const v = view({ activity: 'waiting', activityReason: 'permission' });
    expect(resolveNames(v, ['a', 'crew/b'])).toEqual(['crew/a', 'crew/b']);
    expect(() => resolveNames(v, ['zed'])).toThrow(/no agent "zed"/);
    expect(() => parseCondition('soon')).toThrow(/unknown condition "soon"/);
    expect(() => parseCondition(undefined)).toThrow(/--until/);
    expect(seenText(v.agents[0]!)).toBe('running, waiting (permission)');
  });
});
