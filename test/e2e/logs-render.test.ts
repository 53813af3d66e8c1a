/**
 * `muster logs` of an agent that redraws its screen (docs/commands.md): by default the
 * lines a person saw — a spinner rewritten in place shows its last state, a status block
 * redrawn with cursor moves its final text, no escape left — and with `--raw` the bytes;
 * `-n` counts rendered lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, waitFor, type TestProject } from '../helpers/project.js';

let p: TestProject;

// a spinner redrawn with \r and erase-line, then a two-line block rewritten after moving up
const SCRIPT = String.raw`printf 'begin\n'; for s in a b c; do printf '\r\033[2K\033[33mspin %s\033[0m' $s; sleep 0.1; done; printf '\r\033[2Kspun\n'; printf 'state: busy\nnote: x\n'; sleep 0.2; printf '\033[2A\r\033[2Kstate: idle\n\033[2Knote: done\n'; printf 'end\n'; exec sleep 600`;

beforeAll(async () => {
  p = makeProject('logs-render');
  p.write('muster.yaml', 'pulse: 500ms\n');
  p.write('teams/lr.yaml', `name: lr\nagents:\n  tui:\n    run: ${JSON.stringify(SCRIPT)}\n`);
  p.headless();
  await waitFor('the supervisor', async () => (await p.status()).supervisor.running);
}, 180_000);

afterAll(async () => {
  await p.destroy();
}, 180_000);

describe('muster logs', () => {
  it('shows the lines as the screen showed them; --raw the bytes; -n counts rendered lines', async () => {
    const out = await waitFor('the output to end', async () => {
      const r = await p.muster(['logs', 'tui']);
      return r.stdout.includes('end\n') ? r.stdout : null;
    }, 60_000);
    expect(out).toBe('begin\nspun\nstate: idle\nnote: done\nend\n');
    const raw = await p.muster(['logs', 'tui', '--raw']);
    expect(raw.stdout).toContain('\x1b[33mspin a');
    expect(raw.stdout).toContain('state: busy');
    const tail = await p.muster(['logs', 'tui', '-n', '2']);
    expect(tail.stdout).toBe('note: done\nend\n');
  });
});
