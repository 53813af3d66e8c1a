import { describe, expect, it } from 'vitest';
import { MusterError } from '../../../src/errors.js';
import { CONTROL_PROTOCOL } from '../../../src/supervisor/control/contract.js';
import {
  encodeMessage,
  errorBody,
  errorFromBody,
  LineDecoder,
  LineTooLongError,
  parseRequest,
  parseServerMessage,
} from '../../../src/supervisor/control/protocol.js';

describe('line decoder', () => {
  it('joins partial chunks and splits several messages in one chunk', () => {
    const d = new LineDecoder(1024);
    const wire = Buffer.from(encodeMessage({ id: 1, cmd: 'a' }) + encodeMessage({ id: 2, cmd: 'bé' }) + '{"id":3');
    const out: string[] = [];
    // byte by byte: splits inside the multi-byte "é" too
    for (let i = 0; i < wire.length; i++) out.push(...d.push(wire.subarray(i, i + 1)));
    expect(out.map((l) => JSON.parse(l) as unknown)).toEqual([
      { v: CONTROL_PROTOCOL, id: 1, cmd: 'a' },
      { v: CONTROL_PROTOCOL, id: 2, cmd: 'bé' },
    ]);
    expect(d.push(Buffer.from(',"cmd":"c"}\n{"id":4,"cmd":"d"}\n'))).toEqual(['{"id":3,"cmd":"c"}', '{"id":4,"cmd":"d"}']);
  });

  it('rejects a line longer than the limit, even without a newline', () => {
    const d = new LineDecoder(10);
    expect(d.push(Buffer.from('0123456789\n'))).toEqual(['0123456789']);
    d.push(Buffer.from('01234'));
    expect(() => d.push(Buffer.from('567890'))).toThrow(LineTooLongError);
    const e = new LineDecoder(10);
    e.push(Buffer.from('0123456'));
    expect(() => e.push(Buffer.from('7890\n'))).toThrow(/longer than 10 bytes/);
  });
});

describe('messages', () => {
  it('parses requests and says what is wrong with bad ones', () => {
    expect(parseRequest('{"v":1,"id":1,"cmd":"stop","args":{"agent":"a/b"}}')).toEqual({ v: 1, id: 1, cmd: 'stop', args: { agent: 'a/b' } });
    expect(parseRequest('{"id":2,"cmd":"status"}')).toEqual({ v: 0, id: 2, cmd: 'status' });
    expect(parseRequest('nope')).toMatchObject({ invalid: expect.stringContaining('not valid JSON'), id: null });
    expect(parseRequest('{"id":5}')).toMatchObject({ id: 5, invalid: expect.stringContaining('"cmd"') });
  });

  it('parses server messages and ignores anything else', () => {
    expect(parseServerMessage('{"id":1,"ok":true,"result":3}')).toEqual({ id: 1, ok: true, result: 3 });
    expect(parseServerMessage('{"type":"event","event":{"x":1}}')).toEqual({ type: 'event', event: { x: 1 } });
    expect(parseServerMessage('{"type":"other"}')).toBeNull();
    expect(parseServerMessage('[1]')).toBeNull();
  });

  it('carries a MusterError hint and exit code across the wire', () => {
    const body = errorBody(new MusterError('bad agent', { hint: 'check the name', exitCode: 2 }));
    expect(body).toEqual({ message: 'bad agent', hint: 'check the name', exitCode: 2 });
    const back = errorFromBody(JSON.parse(JSON.stringify(body)) as typeof body);
    expect(back).toBeInstanceOf(MusterError);
    expect([back.message, back.hint, back.exitCode]).toEqual(['bad agent', 'check the name', 2]);
    expect(errorBody(new Error('boom'))).toEqual({ message: 'boom', hint: null, exitCode: 1 });
  });
});
