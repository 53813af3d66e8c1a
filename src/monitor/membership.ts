/**
 * Which processes belong to an agent: pure functions over one process table.
 *
 * An agent's processes are its root's descendants by parent pid, plus every process in
 * the root's session (double-forked children are reparented away but keep the session
 * id), plus the members of its cgroup when there is one.
 */
import type { ProcTable } from './proc-table.js';

/** Lookups built once per table and shared by every agent. */
export interface TableIndex {
  table: ProcTable;
  /** parent pid → child pids */
  children: Map<number, number[]>;
  /** session id → pids in that session */
  sessions: Map<number, number[]>;
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Indexes a table by parent and by session. */
export function indexTable(table: ProcTable): TableIndex {
  const children = new Map<number, number[]>();
  const sessions = new Map<number, number[]>();
  for (const row of table.values()) {
    push(children, row.ppid, row.pid);
    push(sessions, row.sid, row.pid);
  }
  return { table, children, sessions };
}

/** The root and all its descendants by parent pid (only those present in the table). */
export function descendants(index: TableIndex, rootPid: number): number[] {
  const found: number[] = [];
  const seen = new Set<number>();
  const stack = index.table.has(rootPid) ? [rootPid] : [...(index.children.get(rootPid) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    found.push(pid);
    for (const child of index.children.get(pid) ?? []) stack.push(child);
  }
  return found;
}

/**
 * The session whose members count as the agent's: the root's own session when the root
 * leads it (a tmux pane's pid does). A root that is not a session leader shares its
 * session with unrelated processes, so no session is used then. A root that is gone
 * still names its session (the session id is the leader's pid).
 */
export function agentSession(index: TableIndex, rootPid: number): number | null {
  const root = index.table.get(rootPid);
  if (!root) return rootPid;
  return root.sid === root.pid ? root.sid : null;
}

/**
 * Every pid of an agent: descendants of `rootPid` ∪ members of its session ∪
 * `cgroupPids`. Sorted ascending, without duplicates.
 */
export function agentPids(index: TableIndex, rootPid: number, cgroupPids: readonly number[] = []): number[] {
  const pids = new Set<number>(descendants(index, rootPid));
  const sid = agentSession(index, rootPid);
  if (sid !== null && sid > 0) {
    for (const pid of index.sessions.get(sid) ?? []) pids.add(pid);
  }
  for (const pid of cgroupPids) pids.add(pid);
  return [...pids].sort((a, b) => a - b);
}

/**
 * A process that roots an agent's membership. `starttime` is its start time (field 22 of
 * /proc/PID/stat) when it was proven to be the agent's, e.g. a live pane's pid as tmux
 * reported it: a process under that pid with another start time is not the agent's (the
 * pid was given out again) and roots nothing. `null`: a root known to have ended; only its
 * session counts (double-forked children keep it), and only while no process holds its
 * pid — the kernel gives a pid out again only once no session or group uses it.
 */
export interface RootRef {
  pid: number;
  starttime: number | null;
}

/** The root as this table shows it now: proven only if the caller knows `pid` is the agent's at this moment. */
export function provenRoot(table: ProcTable, pid: number): RootRef {
  return { pid, starttime: table.get(pid)?.starttime ?? null };
}

/** An ended root: only the session it led counts, while no process holds its pid. */
export function endedRoot(pid: number): RootRef {
  return { pid, starttime: null };
}

/**
 * A pane's process as a root: a live pane's pid is its process now (proven from the table);
 * a dead pane's pid may already be someone else's (ended).
 */
export function paneRoot(table: ProcTable, pid: number, dead: boolean): RootRef {
  return dead ? endedRoot(pid) : provenRoot(table, pid);
}

/** The members of a root (see RootRef); none when its pid now belongs to another process. */
export function rootMembers(index: TableIndex, root: RootRef, cgroupPids: readonly number[] = []): number[] {
  const row = index.table.get(root.pid);
  if (row && (root.starttime === null || row.starttime !== root.starttime)) return [...cgroupPids].sort((a, b) => a - b);
  return agentPids(index, root.pid, cgroupPids);
}
