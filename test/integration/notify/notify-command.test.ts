/** The user's notify command, run for real through /bin/sh. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotifyCommand, type NeedsYouEvent } from '../../../src/notify/notify-command.js';
import { alive } from '../../helpers/tmux.js';
import { waitFor } from '../../helpers/wait.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-notify-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const event = (over: Partial<NeedsYouEvent> = {}): NeedsYouEvent => ({
  kind: 'waiting',
  agent: 'web/dev',
  reason: 'permission',
  message: 'web/dev waits: permission',
  detail: 'Do you want to proceed?',
  time: '2026-12-02T10:00:00.000Z',
  project: dir,
  ...over,
});

describe('the notify command', () => {
  it('gets the event as JSON on stdin and in MUSTER_EVENT_* variables', async () => {
    const out = path.join(dir, 'seen.json');
    const n = new NotifyCommand({ command: `cat > ${out}; echo "$MUSTER_EVENT_KIND $MUSTER_EVENT_AGENT $MUSTER_EVENT_REASON" >> ${out}`, cwd: dir, timeoutMs: 5000 });
    const r = await n.send(event());
    expect(r).toMatchObject({ ok: true, code: 0, timedOut: false, error: null });
    const [json, vars] = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(JSON.parse(json as string)).toEqual(event());
    expect(vars).toBe('waiting web/dev permission');
  });

  it('never runs text of the event as shell: $(…), backticks and quotes stay data', async () => {
    const marker = path.join(dir, 'pwned');
    const out = path.join(dir, 'message.txt');
    const evil = `$(touch ${marker}) \`touch ${marker}\` '; touch ${marker}; '`;
    const n = new NotifyCommand({ command: `printf '%s' "$MUSTER_EVENT_MESSAGE" > ${out}`, cwd: dir, timeoutMs: 5000 });
    expect((await n.send(event({ message: evil, detail: evil }))).ok).toBe(true);
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.readFileSync(out, 'utf8')).toBe(evil);
  });

  it('a command that hangs is killed with its children at the timeout', async () => {
    const pidFile = path.join(dir, 'child.pid');
    const n = new NotifyCommand({ command: `sleep 60 & echo $! > ${pidFile}; wait`, cwd: dir, timeoutMs: 300 });
    const r = await n.send(event());
    expect(r).toMatchObject({ ok: false, timedOut: true });
    const child = Number(fs.readFileSync(pidFile, 'utf8'));
    await waitFor('its child gone', () => !alive(child), 5000);
  });

  it('a non-zero exit and a megabyte of output are results, the output capped', async () => {
    const n = new NotifyCommand({ command: 'head -c 1048576 /dev/zero | tr "\\0" x; echo nope >&2; exit 3', cwd: dir, timeoutMs: 5000, maxOutput: 1000 });
    const r = await n.send(event());
    expect(r).toMatchObject({ ok: false, code: 3, timedOut: false });
    expect(r.output.length).toBe(1000);
  });

  it('a command that cannot start is a result too', async () => {
    const n = new NotifyCommand({ command: 'exit 0', cwd: path.join(dir, 'missing-folder'), timeoutMs: 5000 });
    expect((await n.send(event())).ok).toBe(false);
  });

  it('50 events at once: each runs once, a few at a time', async () => {
    const log = path.join(dir, 'burst.log');
    const n = new NotifyCommand({ command: `echo "start $MUSTER_EVENT_AGENT" >> ${log}; sleep 0.05; echo end >> ${log}`, cwd: dir, timeoutMs: 5000, concurrency: 4 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => n.send(event({ agent: `web/a${i}` }))));
    expect(results.every((r) => r.ok)).toBe(true);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
    const starts = lines.filter((l) => l.startsWith('start')).map((l) => l.slice(6));
    expect(new Set(starts).size).toBe(50);
    let open = 0;
    let most = 0;
    for (const l of lines) {
      open += l.startsWith('start') ? 1 : -1;
      most = Math.max(most, open);
    }
    expect(most).toBeLessThanOrEqual(4);
  });
});
