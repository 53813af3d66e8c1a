/**
 * An agent's check-in and done messages read back from the event log (the lines the crew
 * writes as `checked in: …` and `done: …`), oldest first: the body of a squash commit's
 * message (`muster land --squash`, the TUI's `L` then `s`; docs/worktrees.md).
 */
export function checkinsOf(events: readonly object[], agent: string): string[] {
  return events.flatMap((e) => {
    const { agent: who, kind, message } = e as { agent?: unknown; kind?: unknown; message?: unknown };
    if (who !== agent || typeof message !== 'string') return [];
    const m = kind === 'checkin' ? /^checked in: (.+)$/s.exec(message) : kind === 'done' ? /^done: (.+)$/s.exec(message) : null;
    return m ? [m[1] as string] : [];
  });
}
