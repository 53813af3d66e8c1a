import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SystemdDriver, runCommand } from '../../../src/monitor/cgroup-systemd.js';

// No systemd here: a stand-in `busctl` records the arguments the real one would get.
const tmp = mkdtempSync(join(tmpdir(), 'muster-busctl-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const log = join(tmp, 'args');
writeFileSync(join(tmp, 'busctl'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${log}'\nexit "\${BUSCTL_EXIT:-0}"\n`);
chmodSync(join(tmp, 'busctl'), 0o755);

describe('systemd join snippet under a real sh', () => {
  it('passes the shell its own pid and the limits, then runs the command', async () => {
    const handle = await new SystemdDriver('crew', runCommand).create('team/dev', { cpu: 25, memory: 1048576 });
    const out = execFileSync('/bin/sh', ['-c', `${handle!.joinScript()}; echo "pid $$"`], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${tmp}:${process.env.PATH ?? ''}` },
    });
    const pid = /pid (\d+)/.exec(out)?.[1];
    const args = readFileSync(log, 'utf8').trim().split('\n');
    expect(args.slice(0, 10)).toEqual([
      '--user', 'call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager',
      'StartTransientUnit', 'ssa(sv)a(sa(sv))', 'muster-crew-team.dev.scope', 'fail', '4',
    ]);
    expect(args.slice(10, 14)).toEqual(['PIDs', 'au', '1', pid]);
    expect(args).toContain('250000');
    expect(args.at(-1)).toBe('0');
  });

  it('warns and still runs the command when joining fails', async () => {
    const handle = await new SystemdDriver('crew', runCommand).create('team/dev', { cpu: null, memory: null });
    const result = execFileSync('/bin/sh', ['-c', `{ ${handle!.joinScript()}; } 2>&1; echo ran`], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${tmp}:${process.env.PATH ?? ''}`, BUSCTL_EXIT: '1' },
    });
    expect(result).toBe('muster: could not join muster-crew-team.dev.scope; running without it\nran\n');
  });
});
