/**
 * Keeps the preview of the selected agent's output fresh: one `capture` per pulse, for the
 * selected agent only, and one shortly after the selection moves to another agent. The
 * pulse's capture is asked for as the snapshot arrives, so that its answer usually lands
 * in the same batched frame as the snapshot.
 */
import { layoutOf, selectedAgent } from './selection.js';
import type { TuiStore } from './tui-store.js';
import type { PreviewState } from './tui-state.js';

export interface PreviewPollerOptions {
  store: TuiStore;
  /** asks the supervisor for an agent's latest pane output */
  capture: (agent: string, lines: number) => Promise<string>;
  /** wait after the selection moves before capturing (default 150 ms) */
  settleMs?: number;
}

export class PreviewPoller {
  private lastAgent: string | null = null;
  private inFlight = false;
  private again = false;
  private settleTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly opts: PreviewPollerOptions) {}

  start(): void {
    this.unsubscribe = this.opts.store.subscribe(() => this.onChange());
    this.onChange();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = null;
  }

  /** A snapshot arrived: capture the selected agent (unless the selection is still moving). */
  pulse(): void {
    if (this.unsubscribe && !this.settleTimer) this.capture();
  }

  private onChange(): void {
    const agent = selectedAgent(this.opts.store.getState())?.id ?? null;
    if (agent === this.lastAgent) return;
    this.lastAgent = agent;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      this.capture();
    }, this.opts.settleMs ?? 150);
  }

  private setPreview(preview: PreviewState): void {
    this.opts.store.update((s) => ({ ...s, preview }), 'batched');
  }

  private capture(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const state = this.opts.store.getState();
    const lines = layoutOf(state).preview;
    const agent = selectedAgent(state);
    if (!agent || lines === 0 || state.mode.kind === 'help' || !state.connected) return;
    if (agent.pane === null) {
      this.setPreview({ agent: agent.id, text: '', error: `${agent.state}: no pane` });
      return;
    }
    this.inFlight = true;
    this.opts.capture(agent.id, lines).then(
      (text) => this.setPreview({ agent: agent.id, text, error: null }),
      (err: unknown) => this.setPreview({ agent: agent.id, text: '', error: err instanceof Error ? err.message : String(err) }),
    ).finally(() => {
      this.inFlight = false;
      if (this.again) {
        this.again = false;
        this.capture();
      }
    });
  }
}
