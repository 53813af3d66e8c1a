/**
 * Runs each demo agent script (teams/demo/*.mjs) briefly as a real child process
 * and checks that it behaves as the demo team needs. DEMO_SPEED shortens the
 * scripted delays; without MUSTER_BIN the scripts print what they would run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const MiB = 1024 * 1024;

interface Running {
  child: ChildProcess;
  /** everything the script printed to stdout so far */
  output: () => string;
  /** resolves with the exit code once the script exits */
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
let dir = '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'muster-demo-'));
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGKILL');
      await gone;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Starts teams/demo/<name>.mjs with a clean muster environment plus `env`. */
function run(name: string, env: Record<string, string> = {}): Running {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const key of ['MUSTER_BIN', 'MUSTER_AGENT', 'MUSTER_DIR', 'PORT', 'DEMO_SPEED']) delete base[key];
  const child = spawn(process.execPath, [join(root, 'teams/demo', `${name}.mjs`)], {
    cwd: root,
    env: { ...base, MUSTER_DIR: dir, DEMO_SPEED: '20', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Waits until `check` passes on the output, or fails with the output shown. */
async function waitFor(running: Running, check: (output: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (check(running.output())) return running.output();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}; output was:\n${running.output()}`);
}

/** Counts the matches of `pattern` (a global regex) in `text`. */
function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}

/** A TCP port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A MUSTER_BIN that appends its arguments as one JSON line to `file`. */
function recordingBin(file: string, exitCode = 0): string {
  const script = join(dir, 'record.mjs');
  writeFileSync(
    script,
    `import { appendFileSync } from 'node:fs';\n` +
      `appendFileSync(${JSON.stringify(file)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n` +
      `process.exit(${exitCode});\n`,
  );
  // Quoted on purpose: MUSTER_BIN is a shell command string, not a path.
  return `'${process.execPath}' '${script}'`;
}

function recorded(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as string[]);
}

describe('demo agent scripts', () => {
  it('worker prints progress, checks in on its cadence and when spoken to', async () => {
    const worker = run('worker');
    await waitFor(worker, (out) => count(out, /worker: task 1: step \d\/5/g) >= 2, 'two progress steps');
    await waitFor(worker, (out) => /would run: muster checkin 'working: task \d+, step/.test(out), 'a check-in');
    worker.child.stdin?.write('status please\n');
    const out = await waitFor(worker, (o) => /would run: muster checkin 'asked for news/.test(o), 'an answer');
    expect(out).toContain('worker: got: status please');
    expect(worker.child.exitCode).toBeNull();
  });

  it('planner writes its plan, hands off to builder with the file, says done and exits 0', async () => {
    const planner = run('planner');
    expect(await planner.exited).toBe(0);
    const plan = join(dir, 'demo', 'plan.md');
    expect(readFileSync(plan, 'utf8')).toMatch(/^# Plan\n\n1\. /);
    const out = planner.output();
    expect(out).toMatch(/planner: thinking \(4\/4\)/);
    expect(out).toContain(`would run: muster handoff builder 'Plan ready: 3 parts to build, see the file' --file ${plan}`);
    expect(out.indexOf('muster handoff')).toBeLessThan(out.indexOf('muster done'));
  });

  it('planner runs MUSTER_BIN through the shell with its arguments intact', async () => {
    const log = join(dir, 'calls.jsonl');
    const planner = run('planner', { MUSTER_BIN: recordingBin(log), MUSTER_AGENT: 'crew/planner' });
    expect(await planner.exited).toBe(0);
    const plan = join(dir, 'crew', 'plan.md');
    expect(recorded(log)).toEqual([
      ['handoff', 'builder', 'Plan ready: 3 parts to build, see the file', '--file', plan],
      ['done', 'plan written and handed to builder'],
    ]);
    expect(readFileSync(plan, 'utf8')).toContain('# Plan');
  });

  it('planner exits 1 without saying done when the handoff is refused', async () => {
    const log = join(dir, 'calls.jsonl');
    const planner = run('planner', { MUSTER_BIN: recordingBin(log, 3) });
    expect(await planner.exited).toBe(1);
    expect(recorded(log).map((args) => args[0])).toEqual(['handoff']);
  });

  it('builder echoes what is typed into it, builds, and checks in', async () => {
    const builder = run('builder');
    await waitFor(builder, (out) => out.includes('waiting for a handoff'), 'the start');
    builder.child.stdin?.write('Plan ready: see plan.md\n');
    await waitFor(builder, (out) => out.includes('builder got: Plan ready: see plan.md'), 'the echo');
    const out = await waitFor(builder, (o) => o.includes("would run: muster checkin 'build #1 finished'"), 'a build');
    expect(out).toMatch(/build #1: step 4\/4/);
    expect(builder.child.exitCode).toBeNull();
  });

  it('web answers HTTP requests on $PORT and logs them', async () => {
    const port = await freePort();
    const web = run('web', { PORT: String(port) });
    await waitFor(web, (out) => out.includes(`listening on http://localhost:${port}`), 'listening');
    const response = await fetch(`http://127.0.0.1:${port}/ping`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('hello from the muster demo');
    await waitFor(web, (out) => out.includes('web: GET /ping -> 200'), 'the request log');
  });

  it('leaky grows its resident memory', async () => {
    const leaky = run('leaky');
    const out = await waitFor(leaky, (o) => count(o, /leaked \d+ MiB so far/g) >= 4, 'four allocations');
    const rss = [...out.matchAll(/rss (\d+) MiB/g)].map((match) => Number(match[1]));
    expect(rss.length).toBeGreaterThanOrEqual(5);
    expect(rss[rss.length - 1]! - rss[0]!).toBeGreaterThanOrEqual(24);
    // Independent of what it prints: the kernel's view of its RSS.
    const status = readFileSync(`/proc/${leaky.child.pid}/status`, 'utf8');
    const vmRssKiB = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
    expect(vmRssKiB * 1024).toBeGreaterThan(rss[0]! * MiB + 24 * MiB);
  });

  it('burner reports how many iterations it managed', async () => {
    const burner = run('burner');
    const out = await waitFor(burner, (o) => count(o, /burner: \d+ iterations\/s/g) >= 2, 'two reports');
    const rates = [...out.matchAll(/burner: (\d+) iterations\/s/g)].map((match) => Number(match[1]));
    expect(rates.every((rate) => rate > 0)).toBe(true);
  });

  it('every long-lived script logs and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const names = ['worker', 'builder', 'web', 'leaky', 'burner'];
    const scripts = names.map((name) => run(name, { PORT: String(port) }));
    await Promise.all(
      scripts.map((script, i) => waitFor(script, (out) => out.includes(`${names[i]}: `), `${names[i]} to start`)),
    );
    for (const script of scripts) script.child.kill('SIGTERM');
    expect(await Promise.all(scripts.map((script) => script.exited))).toEqual([0, 0, 0, 0, 0]);
    scripts.forEach((script, i) => expect(script.output()).toContain(`${names[i]}: stopping (SIGTERM)`));
  });
});
