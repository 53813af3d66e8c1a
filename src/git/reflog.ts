/**
 * Reading a repository's HEAD reflog (`<gitdir>/logs/HEAD`). Pure.
 *
 * Each line: `<old> <new> <name> <<email>> <unix-seconds> <tz>\t<message>`. Only entries
 * whose message starts with `commit` are commits made in this repository (`commit:`,
 * `commit (initial):`, `commit (amend):`, `commit (merge):`); checkouts, resets, rebases,
 * pulls and clones move HEAD without anyone committing.
 */
const LINE = /^[0-9a-f]+ [0-9a-f]+ .*> (\d+) [+-]\d{4}\t(.*)$/;

/** The time (ms) of the last commit entry in reflog text, or null when it has none. */
export function lastCommitFromReflog(text: string): number | null {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = LINE.exec(lines[i] as string);
    if (m && (m[2] as string).startsWith('commit')) return Number(m[1]) * 1000;
  }
  return null;
}

/** The commit HEAD last pointed at according to reflog text (the newest entry's new value), or null. */
export function lastHeadFromReflog(text: string): string | null {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^[0-9a-f]{40,64} ([0-9a-f]{40,64}) /.exec(lines[i] as string);
    if (m && !/^0+$/.test(m[1] as string)) return m[1] as string;
  }
  return null;
}
