/**
 * What every command gets: the project directory, its state paths, how agents run
 * muster (`MUSTER_BIN`), and where to write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { shellQuote } from '../text/shell-quote.js';
import { statePaths, type StatePaths } from '../supervisor/paths.js';

export interface CliContext {
  dir: string;
  /** the project was named with -C (not taken from the current folder) */
  dirGiven: boolean;
  paths: StatePaths;
  /** the shell command that runs this muster */
  musterBin: string;
  /** argv prefix that runs this muster: [node, main.js] */
  musterArgv: string[];
  version: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));

export function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function createContext(dirArg: string | null, env: NodeJS.ProcessEnv = process.env): CliContext {
  const dir = path.resolve(dirArg ?? process.cwd());
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UsageError(`project directory ${dir} does not exist`, 'Pass an existing directory with -C DIR.');
  }
  const musterArgv = [process.execPath, MAIN];
  return {
    dir,
    dirGiven: dirArg !== null,
    paths: statePaths(dir),
    musterBin: musterArgv.map(shellQuote).join(' '),
    musterArgv,
    version: packageVersion(),
    stdout: process.stdout,
    stderr: process.stderr,
    env,
  };
}

export function writeLine(stream: NodeJS.WritableStream, line: string): void {
  stream.write(`${line}\n`);
}
