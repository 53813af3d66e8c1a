/**
 * Files a new worktree needs that git does not check out (docs/worktrees.md): the
 * untracked files of the user's checkout matching the agent's `include` patterns, and the
 * gitignored ones matching the repository's `.worktreeinclude` (gitignore syntax, as
 * Claude Code reads it). Copied, never linked; files already in the worktree are left as
 * they are; nothing from outside the repository (a symlink leading out) and nothing of
 * muster's own state folder is copied.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorktreeGit } from './worktree-git.js';
import { relativeInside } from '../sys/inside-dir.js';

export const WORKTREE_INCLUDE_FILE = '.worktreeinclude';

/** The patterns of a `.worktreeinclude` text: one per line, `#` comments and blank lines left out. */
export function parseIncludeFile(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

function inside(root: string, file: string): boolean {
  const rel = relativeInside(root, file);
  return rel !== null && rel !== '';
}

export interface IncludeResult {
  copied: string[];
  /** files left out, with why */
  skipped: string[];
}

/**
 * Copies the included files from `repo` (the user's checkout) into `dir` (the new
 * worktree). `stateDir` is muster's folder, never copied from.
 */
export async function copyIncludes(git: WorktreeGit, repo: string, dir: string, include: readonly string[], stateDir: string): Promise<IncludeResult> {
  let fromFile: string[] = [];
  try {
    fromFile = parseIncludeFile(fs.readFileSync(path.join(repo, WORKTREE_INCLUDE_FILE), 'utf8'));
  } catch {
    // no .worktreeinclude
  }
  const wanted = new Set(await git.untrackedMatching(repo, include));
  if (fromFile.length > 0) {
    const candidates = await git.untrackedMatching(repo, fromFile);
    for (const f of await git.ignored(repo, candidates)) wanted.add(f);
  }
  const realRepo = fs.realpathSync(repo);
  const result: IncludeResult = { copied: [], skipped: [] };
  for (const rel of [...wanted].sort()) {
    const src = path.join(repo, rel);
    const dst = path.join(dir, rel);
    if (inside(stateDir, src) || src === stateDir) continue;
    let real: string;
    try {
      real = fs.realpathSync(src);
    } catch {
      continue; // gone meanwhile
    }
    if (!inside(realRepo, real)) {
      result.skipped.push(`${rel} (it leads outside the repository)`);
      continue;
    }
    if (fs.existsSync(dst)) continue;
    const st = fs.statSync(real);
    if (!st.isFile()) continue;
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(real, dst);
    fs.chmodSync(dst, st.mode & 0o7777);
    result.copied.push(rel);
  }
  return result;
}
