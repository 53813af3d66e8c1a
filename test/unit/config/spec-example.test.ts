/** The full example team file (fixtures/config/spec-example), read from disk, loads as described. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadProject } from '../../../src/config/load-project.js';
import { projectOf } from './memory-io.js';

const FIXTURE = resolve('test/fixtures/config/spec-example');
const MiB = 1024 ** 2;

describe('the full example team', () => {
  test('loads from disk with the project layouts/ providing pm-dev-server', async () => {
    const p = await loadProject(FIXTURE);
    expect(p.dir).toBe(FIXTURE);
    expect(p.file).toBeNull();
    const team = p.teams[0];
    expect(p.teams).toHaveLength(1);
    expect(team).toMatchObject({ name: 'frontend', file: `${FIXTURE}/teams/frontend.yaml`, cwd: `${FIXTURE}/web`, maxParallel: 3, layoutName: 'pm-dev-server' });
    expect(team?.windows).toEqual([
      { name: 'PM', layout: null, panes: ['pm'] },
      { name: 'Work', layout: 'main-vertical', panes: ['dev', 'server'] },
      { name: 'translate-intro', layout: null, panes: ['translate-intro'] },
      { name: 'translate-faq', layout: null, panes: ['translate-faq'] },
      { name: 'translate-api', layout: null, panes: ['translate-api'] },
    ]);
    const byName = new Map(team?.agents.map((a) => [a.name, a]));
    expect([...byName.keys()]).toEqual(['pm', 'dev', 'server', 'translate-intro', 'translate-faq', 'translate-api']);

    const pm = byName.get('pm');
    expect(pm).toMatchObject({ id: 'frontend/pm', run: 'claude', prompt: 'You are the PM…', env: { NODE_ENV: 'development' }, cwd: `${FIXTURE}/web` });
    expect(pm?.limits).toEqual({ cpu: 50, memory: 512 * MiB, pids: 4096, onMemory: 'restart', onCpu: 'throttle' });
    expect(pm?.checkin).toMatchObject({ everyMs: 15 * 60_000, graceMs: 5 * 60_000, onMiss: 'nudge' });
    expect(pm?.commit?.everyMs).toBe(30 * 60_000);
    expect(pm?.restart).toEqual({ policy: 'on-failure', max: 3, withinMs: 10 * 60_000, backoffMs: 2000, maxBackoffMs: 60_000 });

    expect(byName.get('dev')).toMatchObject({ after: ['frontend/pm'], priority: 'high' });

    const server = byName.get('server');
    expect(server).toMatchObject({ run: 'npm run dev', checkin: null, optional: true, uses: ['port:3000'] });
    expect(server?.limits).toEqual({ cpu: 50, memory: 768 * MiB, pids: 4096, onMemory: 'restart', onCpu: 'throttle' });

    expect(byName.get('translate-faq')).toMatchObject({
      run: 'claude -p "Translate docs/faq.md"',
      timeoutMs: 20 * 60_000,
      expectMs: 5 * 60_000,
      retries: 2,
      item: 'faq',
    });
  });

  test('with the built-in pm-dev-server layout instead', async () => {
    const text = readFileSync(`${FIXTURE}/teams/frontend.yaml`, 'utf8');
    const p = await projectOf({ 'teams/frontend.yaml': text, 'web/': '' });
    expect(p.teams[0]?.windows.map((w) => `${w.name}: ${w.panes.join(' ')}`)).toEqual([
      'PM: pm',
      'Dev: dev',
      'Server: server',
      'translate-intro: translate-intro',
      'translate-faq: translate-faq',
      'translate-api: translate-api',
    ]);
  });
});
