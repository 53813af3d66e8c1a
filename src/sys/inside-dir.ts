/** Is a file inside a directory: by its path, or once every link is resolved? */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The file's real path when it exists and lies inside `dir` (links resolved on both), else null. */
export function realPathInside(file: string, dir: string): string | null {
  try {
    const real = fs.realpathSync(file);
    const root = fs.realpathSync(dir);
    return real === root || real.startsWith(root + path.sep) ? real : null;
  } catch {
    return null;
  }
}

/** `p` relative to `dir` when it lies in it (`''` for `dir` itself), else null. Paths only: no link is resolved. */
export function relativeInside(dir: string, p: string): string | null {
  const rel = path.relative(dir, p);
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) ? null : rel;
}
