/** Errors as the command line prints them (docs/commands.md): one line and a hint; a stack only with MUSTER_DEBUG=1. */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, renderError, UsageError } from '../../../src/errors.js';

const saved = process.env.MUSTER_DEBUG;
afterEach(() => {
  if (saved === undefined) delete process.env.MUSTER_DEBUG;
  else process.env.MUSTER_DEBUG = saved;
});

describe('renderError', () => {
  it('a usage error: what, then the hint, exit 2', () => {
    expect(renderError(new UsageError('bad thing', 'Do this.'))).toEqual({ text: 'muster: bad thing\nhint: Do this.', exitCode: 2 });
  });

  it('problems in files: one FILE:LINE:COL line each', () => {
    const r = renderError(new ConfigError([{ file: 'a.yaml', line: 2, col: 3, message: 'bad' }], 'Fix it.'));
    expect(r).toEqual({ text: 'a.yaml:2:3: bad\nhint: Fix it.', exitCode: 2 });
  });

  it('an unexpected failure: one line without a stack trace, exit 1', () => {
    delete process.env.MUSTER_DEBUG;
    const r = renderError(new TypeError('x is undefined'));
    expect(r.exitCode).toBe(1);
    expect(r.text.split('\n')).toHaveLength(2);
    expect(r.text).toMatch(/^muster: unexpected failure: x is undefined\nhint: .*MUSTER_DEBUG=1/);
  });

  it('with MUSTER_DEBUG=1 the stack is printed', () => {
    process.env.MUSTER_DEBUG = '1';
    expect(renderError(new TypeError('x is undefined')).text).toMatch(/TypeError: x is undefined\n\s+at /);
  });
});
