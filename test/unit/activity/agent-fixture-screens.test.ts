/**
 * The captured screens of the real agent CLIs (test/fixtures/screens/, `npm run
 * agents:capture`) against the pins and against what the agents suite's harness looks for
 * (test/agents/screens.ts). Fails when the pins moved without a new capture, or when a
 * capture shows a CLI whose screens no longer say what the harness expects.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readPins } from '../../../scripts/agent-clis.mjs';
import { CLI_NAMES, CLIS_WITH_TRUST_DIALOG } from '../../agents/cli-env.js';
import { SCREENS } from '../../agents/screens.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/screens/', import.meta.url));
const screen = (cli: string, state: string) => readFileSync(path.join(FIXTURES, cli, `${state}.txt`), 'utf8');

const STATES = ['idle-fresh', 'draft', 'busy-before-first-token', 'busy-streaming', 'idle-after-turn', 'permission', 'after-approval', 'idle-quoting-prompt'];

describe.each(CLI_NAMES.map((cli) => [cli]))('captured screens of %s', (cli) => {
  const s = SCREENS[cli];

  it('were captured from the pinned version, in every state', () => {
    const meta = JSON.parse(readFileSync(path.join(FIXTURES, cli, 'meta.json'), 'utf8'));
    const pin = readPins().find((p) => p.name === cli);
    expect(meta.version, 'the pins moved: run `npm run agents:capture`').toBe(pin?.version);
    const states = CLIS_WITH_TRUST_DIALOG.includes(cli) ? [...STATES, 'first-run-dialog'] : STATES;
    for (const state of states) expect(existsSync(path.join(FIXTURES, cli, `${state}.txt`)), `${cli}/${state}.txt`).toBe(true);
  });

  it.each([['idle-fresh'], ['idle-after-turn'], ['idle-quoting-prompt']])('%s is idle to the harness (model text quoting a prompt included)', (state) => {
    expect(s.idle(screen(cli, state))).toBe(true);
  });

  it.each([['busy-before-first-token'], ['after-approval'], ['permission']])('%s is not idle', (state) => {
    expect(s.idle(screen(cli, state))).toBe(false);
  });

  it('shows its busy line before the first token; while text streams only Codex shows none', () => {
    expect(screen(cli, 'busy-before-first-token')).toMatch(s.busy);
    expect(s.busy.test(screen(cli, 'busy-streaming'))).toBe(cli !== 'codex');
  });

  it('shows its permission prompt, which is gone after approval', () => {
    expect(screen(cli, 'permission')).toMatch(s.permission);
    expect(screen(cli, 'after-approval')).not.toMatch(s.permission);
    expect(screen(cli, 'after-approval')).toMatch(s.busy);
  });
});

describe.each(CLIS_WITH_TRUST_DIALOG.map((cli) => [cli]))('captured first-run screen of %s', (cli) => {
  it('shows its trust dialog when the folder is not trusted, not the idle input', () => {
    const s = SCREENS[cli];
    expect(screen(cli, 'first-run-dialog')).toMatch(s.trustDialog as RegExp);
    expect(s.idle(screen(cli, 'first-run-dialog'))).toBe(false);
  });
});
