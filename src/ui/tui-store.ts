/**
 * The TUI's state outside React. Data from the supervisor (snapshots, events, previews)
 * is coalesced: listeners hear about a burst once, `batchMs` after its first message.
 * Keyboard changes are announced at once, so feedback is immediate.
 */
import type { StatusView } from '../supervisor/control/contract.js';
import { normalize } from './selection.js';
import { MAX_EVENTS, type TuiEvent, type TuiState } from './tui-state.js';

/** Timers, injectable for tests. */
export interface StoreTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realTimers: StoreTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now(),
};

/** How soon announcements follow the changes they batch. */
export type Urgency = 'now' | 'batched';

export class TuiStore {
  private state: TuiState;
  private readonly listeners = new Set<() => void>();
  private timer: unknown = null;

  constructor(
    initial: TuiState,
    private readonly batchMs = 50,
    private readonly timers: StoreTimers = realTimers,
  ) {
    this.state = normalize(initial);
  }

  /** The current state (a new object after every change: safe for useSyncExternalStore). */
  getState = (): TuiState => this.state;

  /** Listens for changes; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Applies `change`; listeners hear of it at once or with the next batch. */
  update(change: (s: TuiState) => TuiState, urgency: Urgency = 'now'): void {
    const next = normalize(change(this.state));
    if (next === this.state) return;
    this.state = next;
    if (urgency === 'now') this.flush();
    else this.timer ??= this.timers.setTimeout(() => this.flush(), this.batchMs);
  }

  /** Announces pending changes now. */
  flush(): void {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
    for (const listener of [...this.listeners]) listener();
  }

  /** A snapshot from the supervisor (batched). */
  applySnapshot(snapshot: StatusView): void {
    const now = this.timers.now();
    this.update((s) => ({ ...s, snapshot, connected: true, now }), 'batched');
  }

  /** An event from the crew (batched), or the TUI's own feedback (`now`). */
  addEvent(event: TuiEvent, urgency: Urgency = 'batched'): void {
    this.update((s) => ({ ...s, events: [...s.events, event].slice(-MAX_EVENTS) }), urgency);
  }

  /** The TUI's own feedback on the event line, shown at once. */
  notice(level: TuiEvent['level'], message: string, agent: string | null = null): void {
    this.addEvent({ time: new Date(this.timers.now()).toISOString(), level, agent, message }, 'now');
  }

  /** The connection to the supervisor came up or went down. */
  setConnected(connected: boolean): void {
    this.update((s) => (s.connected === connected ? s : { ...s, connected }), 'now');
  }

  /** The terminal was resized. */
  setSize(cols: number, rows: number): void {
    this.update((s) => (s.size.cols === cols && s.size.rows === rows ? s : { ...s, size: { cols, rows } }), 'now');
  }

  /** Drops any pending timer (the TUI is closing). */
  dispose(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }
}
