import { describe, expect, it } from 'vitest';
import {
  ControlParser,
  formatCommands,
  parseNotification,
  parseSubscriptionChange,
  quoteArg,
  unescapeOutput,
  type ControlEvent,
} from '../../../src/tmux/control-protocol.js';

function parseAll(text: string | Buffer): ControlEvent[] {
  return new ControlParser().push(text);
}

describe('ControlParser blocks', () => {
  it.each([
    {
      name: 'a reply to our command',
      input: '%begin 1700000000 12 1\nhello\nworld\n%end 1700000000 12 1\n',
      want: [{ type: 'reply', ok: true, time: 1700000000, number: 12, flags: 1, lines: ['hello', 'world'] }],
    },
    {
      name: 'an error reply carries the message',
      input: "%begin 1 5 1\ncan't find pane: %9\n%error 1 5 1\n",
      want: [{ type: 'reply', ok: false, time: 1, number: 5, flags: 1, lines: ["can't find pane: %9"] }],
    },
    {
      name: 'a server-initiated block has flags 0',
      input: '%begin 1 3 0\n%end 1 3 0\n',
      want: [{ type: 'reply', ok: true, time: 1, number: 3, flags: 0, lines: [] }],
    },
    {
      name: 'output lines that look like protocol lines stay output',
      input: '%begin 1 7 1\n%end 1 6 1\n%foo bar\n%output not-a-pane\n%begin 2 2 2\n%end 1 7 1\n',
      want: [{ type: 'reply', ok: true, time: 1, number: 7, flags: 1, lines: ['%end 1 6 1', '%foo bar', '%output not-a-pane', '%begin 2 2 2'] }],
    },
    {
      name: 'a known notification inside a block is a notification',
      input: '%begin 1 8 1\nline\n%window-add @3\n%end 1 8 1\n',
      want: [
        { type: 'notification', name: 'window-add', args: ['@3'], rest: '@3' },
        { type: 'reply', ok: true, time: 1, number: 8, flags: 1, lines: ['line'] },
      ],
    },
    {
      name: 'notifications outside blocks, parsed generically',
      input: '%session-changed $0 _muster\n%exit\n%exit server exited\n%pane-mode-changed %4\n%sessions-changed\n',
      want: [
        { type: 'notification', name: 'session-changed', args: ['$0', '_muster'], rest: '$0 _muster' },
        { type: 'notification', name: 'exit', args: [], rest: '' },
        { type: 'notification', name: 'exit', args: ['server', 'exited'], rest: 'server exited' },
        { type: 'notification', name: 'pane-mode-changed', args: ['%4'], rest: '%4' },
        { type: 'notification', name: 'sessions-changed', args: [], rest: '' },
      ],
    },
    {
      name: 'an unknown line outside blocks is stray',
      input: 'garbage\n%constructor x\n',
      want: [
        { type: 'stray', line: 'garbage' },
        { type: 'stray', line: '%constructor x' },
      ],
    },
  ])('$name', ({ input, want }) => {
    expect(parseAll(input)).toEqual(want);
  });

  it('matches the end of a block by its number, not by the first %end', () => {
    const events = parseAll('%begin 1 10 1\n%end 1 11 1\n%end 1 10 1\n');
    expect(events).toEqual([{ type: 'reply', ok: true, time: 1, number: 10, flags: 1, lines: ['%end 1 11 1'] }]);
  });

  it('parses a stream split at every byte', () => {
    const input = '%begin 1 1 1\nabc\n%end 1 1 1\n%output %1 h\\303\\251llo\n%window-add @1\n';
    const whole = parseAll(input);
    const p = new ControlParser();
    const bytes = Buffer.from(input);
    const pieces: ControlEvent[] = [];
    for (let i = 0; i < bytes.length; i++) pieces.push(...p.push(bytes.subarray(i, i + 1)));
    expect(pieces).toEqual(whole);
    expect(p.inBlock).toBe(false);
  });

  it('reports an open block', () => {
    const p = new ControlParser();
    p.push('%begin 1 1 1\nabc\n');
    expect(p.inBlock).toBe(true);
  });
});

describe('%output', () => {
  it.each([
    { name: 'plain text', input: '%output %3 hello', bytes: [...Buffer.from('hello')], text: 'hello' },
    { name: 'CR LF escaped', input: '%output %3 hi\\015\\012', bytes: [0x68, 0x69, 0x0d, 0x0a], text: 'hi\r\n' },
    { name: 'backslash escaped', input: '%output %3 a\\134b', bytes: [0x61, 0x5c, 0x62], text: 'a\\b' },
    { name: 'ESC sequences', input: '%output %3 \\033[1m', bytes: [0x1b, 0x5b, 0x31, 0x6d], text: '\x1b[1m' },
    { name: 'a backslash not followed by 3 octal digits stays', input: '%output %3 \\9x\\01', bytes: [...Buffer.from('\\9x\\01')], text: '\\9x\\01' },
    { name: 'empty data', input: '%output %3 ', bytes: [], text: '' },
  ])('$name', ({ input, bytes, text }) => {
    const [ev] = parseAll(`${input}\n`);
    expect(ev).toMatchObject({ type: 'output', paneId: '%3', text });
    expect(ev?.type === 'output' && [...ev.data]).toEqual(bytes);
  });

  it('passes raw UTF-8 bytes through and decodes a character split across lines, per pane', () => {
    const e = Buffer.from('€'); // 3 bytes
    const p = new ControlParser();
    const lines = Buffer.concat([
      Buffer.from('%output %1 a'), e.subarray(0, 1), Buffer.from('\n'),
      Buffer.from('%output %2 z'), e.subarray(0, 2), Buffer.from('\n'),
      Buffer.from('%output %1 '), e.subarray(1), Buffer.from('b\n'),
      Buffer.from('%output %2 '), e.subarray(2), Buffer.from('\n'),
    ]);
    const texts = p.push(lines).map((ev) => (ev.type === 'output' ? `${ev.paneId}:${ev.text}` : '?'));
    expect(texts).toEqual(['%1:a', '%2:z', '%1:€b', '%2:€']);
  });

  it('reads %extended-output', () => {
    const [ev] = parseAll('%extended-output %5 120 : x\\012\n');
    expect(ev).toMatchObject({ type: 'output', paneId: '%5', text: 'x\n' });
  });

  it('unescapeOutput leaves bytes at or above 0x80 alone', () => {
    expect([...unescapeOutput(Buffer.from([0xff, 0x5c, 0x30, 0x30, 0x31]))]).toEqual([0xff, 0x01]);
  });
});

describe('notifications', () => {
  it.each([
    ['%subscription-changed muster-dead $0 - - - : %1=1/7//123 ', 'subscription-changed'],
    ['%window-renamed @0 sh[dead]', 'window-renamed'],
    ['%layout-change @1 abcd,80x24,0,0,1 abcd,80x24,0,0,1 *', 'layout-change'],
    ['%client-session-changed /dev/pts/1 $2 work', 'client-session-changed'],
  ])('%s', (line, name) => {
    expect(parseNotification(line)?.name).toBe(name);
  });

  it.each(['%output', '%window-add foo', '%pane-mode-changed 3', '%subscription-changed x', '% nothing', '%Exit'])(
    'rejects the malformed %s',
    (line) => {
      expect(parseNotification(line)).toBeNull();
    },
  );

  it.each([
    {
      line: '%subscription-changed muster-dead $0 - - - : %1=1/7//123 %2=0///124 ',
      want: { name: 'muster-dead', sessionId: '$0', windowId: null, paneId: null, value: '%1=1/7//123 %2=0///124 ' },
    },
    {
      line: '%subscription-changed dd $0 @0 0 %0 : 1 0',
      want: { name: 'dd', sessionId: '$0', windowId: '@0', paneId: '%0', value: '1 0' },
    },
    {
      line: '%subscription-changed v $1 @2 3 %4 : a : b',
      want: { name: 'v', sessionId: '$1', windowId: '@2', paneId: '%4', value: 'a : b' },
    },
  ])('parseSubscriptionChange $line', ({ line, want }) => {
    const n = parseNotification(line);
    expect(n && parseSubscriptionChange(n)).toEqual(want);
  });

  it('parseSubscriptionChange ignores other notifications', () => {
    const n = parseNotification('%window-add @1');
    expect(n && parseSubscriptionChange(n)).toBeNull();
  });
});

describe('quoteArg', () => {
  it.each([
    ['', "''"],
    ['plain', 'plain'],
    ['%12', '%12'],
    ['=team:', '=team:'],
    ['#{pane_id}', "'#{pane_id}'"],
    ['two words', "'two words'"],
    ["it's", "'it'\\''s'"],
    ["'", "\\'"],
    ['a;b', "'a;b'"],
    [';', "';'"],
    ['$HOME', "'$HOME'"],
    ['~/x', "'~/x'"],
    ['%if', "'%if'"],
    ['a\nb', "'a'\\012'b'"],
    ['\t', '\\011'],
    ['"dq"', `'"dq"'`],
    ['back\\slash', "'back\\slash'"],
    ['é', "'é'"],
  ])('%j → %s', (input, want) => {
    expect(quoteArg(input)).toBe(want);
  });

  it('never lets a newline through (it would end the command line)', () => {
    for (const s of ['\n', 'a\r\nb', "x\n'y'\n"]) expect(quoteArg(s)).not.toMatch(/[\r\n]/);
  });

  it('formatCommands joins commands with " ; "', () => {
    expect(formatCommands([['display-message', '-p', 'a b'], ['list-panes', '-a']])).toBe("display-message -p 'a b' ; list-panes -a");
  });
});
