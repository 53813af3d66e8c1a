/**
 * `muster report` after a run of one-shot stand-ins: a pipeline with a fan-out and a
 * fan-in shows its phases, each agent's <result>, and the parallel efficiency.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, waitFor, type TestProject } from '../helpers/project.js';

let p: TestProject;

beforeAll(() => {
  p = makeProject('report');
  p.write(
    'teams/pipe.yaml',
    `name: pipe
agents:
  research:
    run: sleep 1; echo '<result>three sources</result>'
  draft:
    for_each: [intro, body]
    after: [research]
    run: sleep 2; echo '<result>draft of {item}</result>'
  review:
    after: [draft]
    run: sleep 1; echo '<result>approved</result>'; $MUSTER_BIN done "reviewed"
`,
  );
});

afterAll(async () => {
  await p.destroy();
});

interface ReportJson {
  parallelEfficiency: number;
  agents: { id: string; phase: number; state: string; result: string | null }[];
  phases: { phase: number; agents: string[] }[];
}

describe('muster report', () => {
  it('shows phases, results and parallel efficiency of a run', async () => {
    p.headless();
    await waitFor('all done', async () => (await p.status()).agents.every((a) => a.state === 'done'), 90_000);
    const r = await p.muster(['report', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as ReportJson;
    const byId = Object.fromEntries(report.agents.map((a) => [a.id, a]));
    expect(byId['pipe/research']).toMatchObject({ phase: 0, state: 'done', result: 'three sources' });
    expect(byId['pipe/draft-intro']).toMatchObject({ phase: 1, result: 'draft of intro' });
    expect(byId['pipe/draft-body']).toMatchObject({ phase: 1, result: 'draft of body' });
    expect(byId['pipe/review']).toMatchObject({ phase: 2, result: 'approved' });
    expect(report.phases.map((ph) => ph.phase)).toEqual([0, 1, 2]);
    // the two drafts ran side by side: more agent time than wall time in that phase
    expect(report.parallelEfficiency).toBeGreaterThan(1);
    const md = fs.readFileSync(path.join(p.dir, '.muster/report.md'), 'utf8');
    expect(md).toContain('Parallel efficiency');
    expect(md).toContain('draft of intro');
  }, 120_000);
});
