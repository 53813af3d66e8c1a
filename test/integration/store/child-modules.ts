/**
 * Child processes in these tests run the real store modules. Node 20 cannot
 * run TypeScript, so the needed sources are transpiled (types stripped, one
 * file at a time) into a temporary folder that keeps the repository layout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The sources the store needs, relative to the repository. */
export const STORE_SOURCES = [
  'src/errors.ts',
  'src/sys/atomic-file.ts',
  'src/supervisor/store/event-log.ts',
  'src/supervisor/store/ledger.ts',
  'src/supervisor/store/lock.ts',
  'src/sys/process-identity.ts',
  'src/sys/proc-stat.ts',
  'src/sys/ps-start.ts',
  'src/sys/time.ts',
];

/** Transpiles `sources` into `outDir` (same relative paths, `.js`) and marks it as ESM. */
export function transpileInto(outDir: string, sources: string[] = STORE_SOURCES): void {
  for (const rel of sources) {
    const input = fs.readFileSync(path.join(REPO, rel), 'utf8');
    const { outputText } = ts.transpileModule(input, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: rel,
    });
    const out = path.join(outDir, rel.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, outputText);
  }
  fs.writeFileSync(path.join(outDir, 'package.json'), '{ "type": "module" }\n');
}

/** A child running a script, with its stdout split into lines. */
export interface Child {
  proc: ChildProcess;
  lines: string[];
  /** Resolves with the first stdout line matching `pred` (rejects when the child exits first). */
  waitLine(pred: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

/** Starts `node script args…`; everything started is remembered in `started` for cleanup. */
export function startChild(script: string, args: string[], started: ChildProcess[]): Child {
  const proc = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(proc);
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const w of waiters.splice(0)) w();
  });
  const waitLine = (pred: (line: string) => boolean, timeoutMs = 20_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a line; stderr: ${stderr}`)), timeoutMs);
      const check = (): void => {
        const hit = lines.find(pred);
        if (hit !== undefined) {
          clearTimeout(timer);
          resolve(hit);
        } else if (done) {
          clearTimeout(timer);
          reject(new Error(`child exited before the line; stderr: ${stderr}`));
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { proc, lines, waitLine, exited };
}

/** Kills whatever is still running among `started`. */
export function killAll(started: ChildProcess[]): void {
  for (const proc of started) {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
}
