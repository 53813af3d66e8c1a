/** An in-memory project for config tests; paths outside it go to the real file system. */
import { join } from 'node:path';
import { formatProblem } from '../../../src/errors.js';
import { nodeIo, type ConfigIo } from '../../../src/config/io.js';
import { validateProject } from '../../../src/config/load-project.js';

export const ROOT = '/virtual/proj';

/**
 * A ConfigIo serving `files` (relative to ROOT) and the real disk elsewhere. Folders under
 * ROOT exist when a file is in them, or when listed as `name/` keys.
 */
export function memoryIo(files: Record<string, string>): ConfigIo {
  const abs = new Map(Object.entries(files).map(([p, text]) => [join(ROOT, p), text]));
  return {
    async readText(path) {
      if (!path.startsWith(`${ROOT}/`)) return nodeIo.readText(path);
      const text = abs.get(path);
      return text === undefined ? { error: 'file not found' } : { text };
    },
    async listDir(path) {
      if (!path.startsWith(ROOT)) return nodeIo.listDir(path);
      const prefix = `${path}/`;
      const names = [...abs.keys()].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split('/')[0] ?? '');
      return [...new Set(names)].filter((n) => n !== '').sort();
    },
    async isDir(path) {
      if (path !== ROOT && !path.startsWith(`${ROOT}/`)) return nodeIo.isDir(path);
      return path === ROOT || [...abs.keys()].some((p) => p.startsWith(`${path}/`));
    },
  };
}

/** Every problem of the project as `FILE:LINE:COL: message` lines. */
export async function problemsOf(files: Record<string, string>, cli?: string[]): Promise<string[]> {
  const { problems } = await validateProject(ROOT, cli, { io: memoryIo(files) });
  return problems.map(formatProblem);
}

/** The project, which must be valid (the test fails with its problems otherwise). */
export async function projectOf(files: Record<string, string>, cli?: string[]) {
  const { project, problems } = await validateProject(ROOT, cli, { io: memoryIo(files) });
  if (project === null) throw new Error(`expected a valid project, got:\n${problems.map(formatProblem).join('\n')}`);
  return project;
}

/** Joins lines into a YAML text. */
export const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;
