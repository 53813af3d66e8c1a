/**
 * The small interfaces the supervisor needs from its adapters. The real ones are wired in
 * one place (src/cli/compose.ts); tests may wire others.
 */
export interface PaneState {
  paneId: string;
  panePid: number;
  dead: boolean;
  deadStatus: number | null;
  /** the signal that ended it; with deadStatus null too, the exit is not known yet */
  deadSignal: number | null;
  agentId: string | null;
  attempt: string | null;
  sessionName: string;
}

export interface TeamLayoutPlan {
  name: string;
  windows: { name: string; layout: string | null; panes: { agentId: string; title: string }[] }[];
}

export interface LaunchOptions {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  attempt: string;
  logFile: string;
  /** the log's size cap and rotated files kept */
  logCap?: { maxBytes: number; keep: number };
}

/** The crew's own tmux server. */
export interface CrewTmux {
  socketPath(): string;
  ensureTeam(team: TeamLayoutPlan): Promise<Map<string, string>>;
  listPanes(): Promise<PaneState[]>;
  launch(paneId: string, options: LaunchOptions): Promise<{ pid: number }>;
  sendKeys(paneId: string, keys: string[]): Promise<void>;
  pasteText(paneId: string, text: string): Promise<void>;
  capture(paneId: string, options?: { lines?: number }): Promise<string>;
  /** the text of the line under the pane's cursor (to see whether typed text was submitted) */
  cursorLine(paneId: string): Promise<string>;
  killSession(name: string): Promise<void>;
  /** called when a pane's process dies or a pane is removed (a hint: the supervisor re-reads the panes) */
  onPaneDied(listener: (paneId: string) => void): void;
  /** true while deaths and removals are reported as they happen; else the supervisor re-reads the panes every pulse */
  reportsPaneChanges?(): boolean;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
