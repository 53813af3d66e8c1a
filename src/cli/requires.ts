/**
 * The project's `requires` (in `muster.yaml`), checked before anything starts; every miss is
 * listed at once.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { ProjectSpec } from '../config/types.js';
import { MusterError } from '../errors.js';

export async function findMisses(project: ProjectSpec, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const misses: string[] = [];
  const req = project.requires;
  for (const cmd of req.commands) if (!onPath(cmd, env)) misses.push(`command "${cmd}" is not on PATH`);
  for (const name of req.env) if (!env[name]) misses.push(`environment variable ${name} is not set`);
  for (const port of req.ports) if (!(await portFree(port))) misses.push(`port ${port} is already in use`);
  if (req.disk !== null) {
    const st = fs.statfsSync(project.dir);
    const free = st.bavail * st.bsize;
    if (free < req.disk) misses.push(`only ${Math.floor(free / 2 ** 20)} MiB free on disk, ${Math.ceil(req.disk / 2 ** 20)} MiB required`);
  }
  return misses;
}

export async function checkRequires(project: ProjectSpec, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const misses = await findMisses(project, env);
  if (misses.length === 0) return;
  throw new MusterError(`the project's requirements are not met (nothing was started):\n  - ${misses.join('\n  - ')}`, {
    hint: `Install or set what is missing, or change \`requires\` in ${project.file ?? 'muster.yaml'}.`,
  });
}

/** True when `cmd` (a name looked up on PATH, or a path) is an executable file. */
export function onPath(cmd: string, env: NodeJS.ProcessEnv): boolean {
  if (cmd.includes('/')) return isExecutable(cmd);
  return (env.PATH ?? '').split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, cmd)));
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}
