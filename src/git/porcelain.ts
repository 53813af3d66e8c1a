/**
 * Parsers of git's machine-readable output (porcelain, `-z` forms). Pure.
 */

/** One entry of `git worktree list --porcelain -z`. */
export interface WorktreeEntry {
  path: string;
  /** the commit checked out (null before the first commit, or when HEAD is unreadable) */
  head: string | null;
  /** `refs/heads/…`, or null when detached */
  branch: string | null;
  bare: boolean;
  detached: boolean;
  /** the lock reason ('' when locked without one), or null when not locked */
  locked: string | null;
  /** the prune reason, when git would prune it (its folder is gone) */
  prunable: string | null;
}

const ZERO = /^0{40}$/;

/** `git worktree list --porcelain -z`: attributes separated by NUL, entries by an empty field. */
export function parseWorktreeList(text: string): WorktreeEntry[] {
  const out: WorktreeEntry[] = [];
  let cur: WorktreeEntry | null = null;
  for (const field of text.split('\0')) {
    if (field === '') {
      if (cur) out.push(cur);
      cur = null;
      continue;
    }
    const space = field.indexOf(' ');
    const key = space < 0 ? field : field.slice(0, space);
    const value = space < 0 ? '' : field.slice(space + 1);
    if (key === 'worktree') {
      if (cur) out.push(cur);
      cur = { path: value, head: null, branch: null, bare: false, detached: false, locked: null, prunable: null };
      continue;
    }
    if (!cur) continue;
    if (key === 'HEAD') cur.head = ZERO.test(value) ? null : value;
    else if (key === 'branch') cur.branch = value;
    else if (key === 'bare') cur.bare = true;
    else if (key === 'detached') cur.detached = true;
    else if (key === 'locked') cur.locked = value;
    else if (key === 'prunable') cur.prunable = value;
  }
  if (cur) out.push(cur);
  return out;
}

/** One file of `git diff --numstat -z`: lines added and deleted (null for binary files). */
export interface NumstatEntry {
  path: string;
  added: number | null;
  deleted: number | null;
}

/**
 * `git diff --numstat -z`: `ADDED\tDELETED\tPATH\0`, or for renames and copies
 * `ADDED\tDELETED\t\0FROM\0TO\0` (the entry counts under its new path).
 */
export function parseNumstatZ(text: string): NumstatEntry[] {
  const fields = text.split('\0');
  const out: NumstatEntry[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as string;
    if (f === '') continue;
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(f);
    if (!m) continue;
    const added = m[1] === '-' ? null : Number(m[1]);
    const deleted = m[2] === '-' ? null : Number(m[2]);
    let path = m[3] as string;
    if (path === '') {
      i += 2; // from, to
      path = fields[i] ?? '';
    }
    out.push({ path, added, deleted });
  }
  return out;
}

/** One changed path of `git status --porcelain=v1 -z`. */
export interface StatusEntry {
  /** two status letters: index, work tree (`??` untracked, `!!` ignored) */
  code: string;
  path: string;
}

/** `git status --porcelain=v1 -z`: `XY PATH\0`, renames and copies followed by `FROM\0`. */
export function parseStatusZ(text: string): StatusEntry[] {
  const fields = text.split('\0');
  const out: StatusEntry[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as string;
    if (f.length < 4) continue;
    const code = f.slice(0, 2);
    out.push({ code, path: f.slice(3) });
    if (code[0] === 'R' || code[0] === 'C') i++; // the old path
  }
  return out;
}

/** What `git merge-tree --write-tree --name-only -z --no-messages` answered. */
export type MergeTreeResult = { clean: true; tree: string } | { clean: false; tree: string; conflicts: string[] };

/** Exit 0: `TREE\0`; exit 1: `TREE\0FILE\0…FILE\0` (the conflicted files, once each). */
export function parseMergeTreeZ(text: string, code: number): MergeTreeResult {
  const fields = text.split('\0');
  const tree = (fields[0] ?? '').trim();
  if (code === 0) return { clean: true, tree };
  const conflicts: string[] = [];
  for (const f of fields.slice(1)) {
    if (f === '') break; // the (empty) messages section follows an empty field
    if (!conflicts.includes(f)) conflicts.push(f);
  }
  return { clean: false, tree, conflicts };
}

/** `git rev-list --left-right --count A...B`: `LEFT\tRIGHT`. */
export function parseLeftRight(text: string): { left: number; right: number } {
  const [l, r] = text.trim().split(/\s+/).map(Number);
  return { left: Number.isFinite(l) ? (l as number) : 0, right: Number.isFinite(r) ? (r as number) : 0 };
}

/** Lines changed in a numstat list: files, lines added, lines deleted (binary files count as files only). */
export function sumNumstat(entries: readonly Pick<NumstatEntry, 'added' | 'deleted'>[]): { files: number; added: number; deleted: number } {
  let added = 0;
  let deleted = 0;
  for (const e of entries) {
    added += e.added ?? 0;
    deleted += e.deleted ?? 0;
  }
  return { files: entries.length, added, deleted };
}
