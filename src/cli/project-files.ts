/**
 * Files that `muster init` and `muster import` write into a project: checked as
 * `muster validate` would before anything is written, never over an existing file
 * without `--force`, each written atomically; and the `$schema` line that points editors
 * at the package's schemas (docs/index.md#editor-setup).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeIo, type ConfigIo } from '../config/io.js';
import { schemaFileName } from '../config/json-schema.js';
import { validateProject } from '../config/load-project.js';
import type { RepoProbe } from '../config/worktree-repo-check.js';
import { UsageError, type FileProblem } from '../errors.js';
import { writeFileAtomic } from '../sys/atomic-file.js';
import { relativeInside } from '../sys/inside-dir.js';

export interface PlannedFile {
  /** relative to the project folder */
  path: string;
  text: string;
}

/** The package's `schema/` folder (this module is dist/cli/project-files.js). */
const SCHEMA_DIR = fileURLToPath(new URL('../../schema/', import.meta.url));

/**
 * The `$schema` target for a file in `fromDir` of the project `dir`: a relative path when
 * muster is installed inside the project (node_modules), else the absolute path.
 */
export function schemaRef(dir: string, fromDir: string, name: string): string {
  const file = path.join(SCHEMA_DIR, schemaFileName(name));
  return relativeInside(dir, file) === null ? file : path.relative(fromDir, file);
}

/** Refuses (exit 2, nothing written) when a planned file exists, unless `force`. */
export function refuseClashes(dir: string, files: readonly PlannedFile[], force: boolean): void {
  const clash = files.filter((f) => fs.existsSync(path.join(dir, f.path))).map((f) => f.path);
  if (clash.length > 0 && !force) {
    throw new UsageError(`${clash.join(' and ')} already ${clash.length === 1 ? 'exists' : 'exist'}; nothing was written`, 'Pass --force to replace, or --name to write under another name.');
  }
}

/**
 * The problems `muster validate` would report once the files are written (the files on
 * disk and the planned ones together); `teams` limits the check to those team files.
 */
export async function plannedProblems(
  dir: string,
  files: readonly PlannedFile[],
  teams?: string[],
  opts: { assumeFolders?: boolean; repoProbe?: RepoProbe } = {},
): Promise<FileProblem[]> {
  const planned = new Map(files.map((f) => [path.resolve(dir, f.path), f.text]));
  const io: ConfigIo = {
    readText: async (p) => {
      const text = planned.get(path.resolve(p));
      return text === undefined ? nodeIo.readText(p) : { text };
    },
    listDir: async (p) => {
      const names = new Set(await nodeIo.listDir(p));
      for (const abs of planned.keys()) if (path.dirname(abs) === path.resolve(p)) names.add(path.basename(abs));
      return [...names].sort();
    },
    isDir: (p) => (opts.assumeFolders ? Promise.resolve(true) : nodeIo.isDir(p)),
  };
  return (await validateProject(dir, teams, { io, ...(opts.repoProbe ? { repoProbe: opts.repoProbe } : {}) })).problems;
}

/** Writes the files (folders made as needed), each atomically. */
export function writeProjectFiles(dir: string, files: readonly PlannedFile[]): void {
  for (const f of files) {
    const abs = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    writeFileAtomic(abs, f.text);
  }
}
