/**
 * The plain `muster` command on every agent's PATH (README, "A team file"): an agent that
 * never touches MUSTER_BIN runs `muster checkin …` and the check-in is recorded, in a
 * project whose path holds spaces; the launcher is the state folder's, private.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, waitFor, type TestProject } from '../helpers/project.js';

type Status = { agents: { id: string; state: string; checkin: { message: string | null } }[] };

let p: TestProject;

beforeAll(async () => {
  p = makeProject('plain command with spaces');
  p.write('muster.yaml', 'pulse: 500ms\n');
  p.write(
    'teams/pc.yaml',
    `name: pc
agents:
  plain:
    run: unset MUSTER_BIN; command -v muster > where.txt; muster checkin "hi from plain" && exec sleep 600
`,
  );
  p.headless();
  await waitFor('the supervisor', async () => (await p.status()).supervisor.running);
}, 180_000);

afterAll(async () => {
  await p.destroy();
}, 180_000);

describe('muster on the agent PATH', () => {
  it('an agent runs `muster checkin` without MUSTER_BIN in a project path with spaces, and it is recorded', async () => {
    expect(p.dir).toContain(' ');
    const c = await waitFor('plain checked in', async () => {
      const a = ((await p.status()) as unknown as Status).agents.find((x) => x.id === 'pc/plain');
      return a?.checkin.message === 'hi from plain' ? a.checkin : null;
    });
    expect(c.message).toBe('hi from plain');
    const launcher = path.join(p.dir, '.muster', 'bin', 'muster');
    expect(fs.readFileSync(path.join(p.dir, 'where.txt'), 'utf8').trim()).toBe(launcher);
    expect(fs.statSync(launcher).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.dirname(launcher)).mode & 0o777).toBe(0o700);
  });
});
