/**
 * Layout files, `layouts/<name>.yaml` (README, "A team file"): the project's own `layouts/`
 * folder is searched first, then the layouts built into the package.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileProblem } from '../errors.js';
import type { ConfigIo } from './io.js';
import { check } from './issues.js';
import { layoutSchema, type RawLayout } from './schema.js';
import { parseYamlSource, problemAtStart, type YamlSource } from './yaml-source.js';

/**
 * The package's own `layouts/` folder. This module is two levels below the
 * package root both as source (`src/config/`) and compiled (`dist/config/`).
 */
export const BUILTIN_LAYOUTS_DIR = fileURLToPath(new URL('../../layouts/', import.meta.url));

/** A layout file found and checked. `layout` is null when it has problems. */
export interface LayoutFile {
  name: string;
  /** absolute path */
  absFile: string;
  /** true for the package's layouts, which skip the agents a team lacks */
  builtin: boolean;
  src: YamlSource;
  layout: RawLayout | null;
  problems: FileProblem[];
}

/** Where to look for layouts, first match wins. */
export interface LayoutDirs {
  project: string;
  builtin: string;
}

/** The layout names available: the project's and the built-in ones, sorted, without repeats. */
export async function layoutNames(dirs: LayoutDirs, io: ConfigIo): Promise<string[]> {
  const names = [...(await io.listDir(dirs.project)), ...(await io.listDir(dirs.builtin))]
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length));
  return [...new Set(names)].sort();
}

/**
 * Finds and checks the layout `name`; null when neither folder has it.
 * `show` turns an absolute path into the name shown in problems.
 */
export async function loadLayout(name: string, dirs: LayoutDirs, io: ConfigIo, show: (abs: string) => string): Promise<LayoutFile | null> {
  for (const [dir, builtin] of [
    [dirs.project, false],
    [dirs.builtin, true],
  ] as const) {
    const absFile = join(dir, `${name}.yaml`);
    const read = await io.readText(absFile);
    if ('error' in read) {
      if (read.error === 'file not found') continue;
      const src = parseYamlSource(show(absFile), '');
      return { name, absFile, builtin, src, layout: null, problems: [problemAtStart(src.file, read.error)] };
    }
    const src = parseYamlSource(show(absFile), read.text);
    if (src.syntaxProblems.length > 0) return { name, absFile, builtin, src, layout: null, problems: src.syntaxProblems };
    const checked = check(layoutSchema, src.value ?? null, src, [], 'layout file');
    return { name, absFile, builtin, src, layout: checked.data, problems: checked.problems };
  }
  return null;
}
