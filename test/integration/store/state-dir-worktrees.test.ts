/**
 * The state folder is tightened at `muster up` (docs/reliability.md), but the agents'
 * worktrees in `.muster/worktrees` hold the user's work with git's modes: the folder is made
 * owner-only and nothing inside it is changed (docs/worktrees.md).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { secureStateDir } from '../../../src/supervisor/store/state-dir.js';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('secureStateDir and the worktrees', () => {
  it('tightens the state folder’s own files and the worktrees folder, never what a worktree holds', () => {
    const stateDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'muster-state-')), '.muster');
    made.push(path.dirname(stateDir));
    const wt = path.join(stateDir, 'worktrees', 'web', 'dev');
    fs.mkdirSync(path.join(wt, 'bin'), { recursive: true, mode: 0o755 });
    fs.chmodSync(stateDir, 0o755);
    fs.chmodSync(path.join(stateDir, 'worktrees'), 0o755);
    const script = path.join(wt, 'bin', 'build.sh');
    const source = path.join(wt, 'index.js');
    const log = path.join(stateDir, 'events.jsonl');
    fs.writeFileSync(script, '#!/bin/sh\necho hi\n');
    fs.chmodSync(script, 0o755);
    fs.writeFileSync(source, 'x\n');
    fs.chmodSync(source, 0o644);
    fs.writeFileSync(log, '{}\n');
    fs.chmodSync(log, 0o644);

    const tightened = secureStateDir(stateDir);

    expect(tightened.sort()).toEqual(['.', 'events.jsonl', 'worktrees']);
    expect(mode(stateDir)).toBe(0o700);
    expect(mode(log)).toBe(0o600);
    expect(mode(path.join(stateDir, 'worktrees'))).toBe(0o700);
    expect(mode(script)).toBe(0o755);
    expect(mode(source)).toBe(0o644);
    expect(mode(path.join(wt, 'bin'))).toBe(0o755);
  });
});
