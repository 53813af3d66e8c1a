/**
 * End-to-end helpers: a throwaway project folder with team files, the real `muster`
 * binary (dist/cli/main.js, built by `npm test`), a headless supervisor as a child
 * process, and a teardown that kills the project's own tmux server by its socket and
 * every process it started.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { socketNameFor } from '../../src/tmux/crew-server.js';
import { cleanEnv, killTestServer, serverAnswers } from './tmux.js';

export const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface TestProject {
  dir: string;
  socket: string;
  write(file: string, text: string): string;
  /** runs `muster -C DIR ARGS` to completion (in DIR unless `cwd`; without `-C DIR` when `noDir`; an env value undefined removes it) */
  muster(
    args: string[],
    opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string; noDir?: boolean },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** starts `muster up --headless` in the background (under `umask`, e.g. '000', when given) */
  headless(args?: string[], env?: NodeJS.ProcessEnv, opts?: { umask?: string }): Headless;
  status(): Promise<StatusJson>;
  /** kills supervisors it started, the crew's processes and its tmux server */
  destroy(): Promise<void>;
}

export interface Headless {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export interface AgentJson {
  id: string;
  state: string;
  reason: string | null;
  pid: number | null;
  pane: string | null;
  restarts: number;
  exitCode: number | null;
  cpu: number | null;
  memory: number | null;
}

export interface StatusJson {
  project: string;
  socket: string;
  supervisor: { running: boolean; pid: number | null };
  agents: AgentJson[];
}

/** Projects made and not yet destroyed, for the failure report (test/helpers/failure-report.ts). */
interface LiveProject {
  dir: string;
  /** the crew's tmux socket name */
  socket: string;
  outputs(): string[];
  /** pids of the headless supervisors it started (null when already exited) */
  pids(): Array<number | null>;
}
const live = new Set<LiveProject>();
export const liveProjects = (): readonly LiveProject[] => [...live];

export function makeProject(label: string): TestProject {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `muster-${label}-`)));
  const socket = socketNameFor(dir);
  const children: ChildProcess[] = [];
  const outputs: Array<() => string> = [];
  const env = cleanEnv();
  const entry: LiveProject = {
    dir,
    socket,
    outputs: () => outputs.map((o) => o()),
    pids: () => children.map((c) => (c.exitCode === null && c.signalCode === null ? (c.pid ?? null) : null)),
  };
  live.add(entry);

  const project: TestProject = {
    dir,
    socket,
    write(file, text) {
      const abs = path.join(dir, file);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, text);
      return abs;
    },
    muster(args, opts = {}) {
      return new Promise((resolve) => {
        execFile(
          process.execPath,
          opts.noDir ? [MAIN, ...args] : [MAIN, '-C', dir, ...args],
          { env: { ...env, ...opts.env }, timeout: opts.timeoutMs ?? 60_000, cwd: opts.cwd ?? dir },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
          },
        );
      });
    },
    headless(args = [], extraEnv = {}, opts = {}) {
      const argv = [process.execPath, MAIN, '-C', dir, 'up', '--headless', ...args];
      const [file, ...rest] = opts.umask ? ['/bin/sh', '-c', `umask ${opts.umask}; exec "$@"`, 'sh', ...argv] : argv;
      const child = spawn(file as string, rest, {
        // start-up steps on stderr: a supervisor that hangs shows where (see failure-report.ts)
        env: { ...env, MUSTER_DEBUG: '1', ...extraEnv },
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      outputs.push(() => out);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      return { child, output: () => out, exited };
    },
    async status() {
      const r = await project.muster(['status', '--json']);
      if (r.code !== 0) throw new Error(`muster status failed (${r.code}): ${r.stderr}`);
      return JSON.parse(r.stdout) as StatusJson;
    },
    async destroy() {
      live.delete(entry);
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await project.muster(['cleanup', '--yes']).catch(() => undefined);
      if (await serverAnswers(socket)) await killTestServer(socket);
      fs.rmSync(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return project;
}

export { waitFor } from './wait.js';

export function agentOf(status: StatusJson, id: string): AgentJson {
  const a = status.agents.find((x) => x.id === id);
  if (!a) throw new Error(`no agent ${id} in status`);
  return a;
}
