/**
 * Routes the core's needs-you effects (core/needs-you.ts) to where the user hears of them
 * (docs/needs-you.md): an event line (ledger, headless output, the TUI's bell and terminal
 * notification) and the notifiers (the user's notify command, the desktop). Nothing is sent
 * for an agent whose pane someone is looking at (a tmux client attached to it): the line
 * says `suppressed`. Never blocks the caller, never throws; a failed notifier is one warning.
 */
import type { NeedsYou } from '../core/needs-you.js';
import type { CrewNotice } from './control/contract.js';
import type { NotifierPort } from './ports.js';

export interface NeedsYouRouterDeps {
  project: string;
  notifiers: readonly NotifierPort[];
  /** the panes tmux clients are looking at now */
  viewedPanes(): Promise<string[]>;
  paneOf(agent: string): string | null;
  publish(notice: CrewNotice): void;
  now(): number;
}

export class NeedsYouRouter {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly d: NeedsYouRouterDeps) {}

  raise(needs: NeedsYou): void {
    const job = this.route(needs).catch(() => undefined);
    this.running.add(job);
    void job.then(() => this.running.delete(job));
  }

  /** Resolves once every event raised so far has been sent everywhere it goes. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
    await Promise.all(this.d.notifiers.map((n) => n.idle()));
  }

  private async route(needs: NeedsYou): Promise<void> {
    const suppressed = await this.viewed(needs.agent);
    const time = new Date(this.d.now()).toISOString();
    this.d.publish({
      time,
      level: needs.kind === 'done' ? 'info' : 'warn',
      agent: needs.agent,
      kind: 'needs-you',
      message: needs.detail ? `${needs.message}: ${needs.detail}` : needs.message,
      needs: { kind: needs.kind, reason: needs.reason, detail: needs.detail, suppressed },
    });
    if (suppressed) return;
    const event = { ...needs, time, project: this.d.project };
    await Promise.all(
      this.d.notifiers
        .filter((n) => n.wants(needs.kind))
        .map(async (n) => {
          const problem = await n.send(event).catch((err: unknown) => (err as Error).message);
          if (problem) this.d.publish({ time: new Date(this.d.now()).toISOString(), level: 'warn', agent: needs.agent, kind: 'notify-failed', message: `${n.name}: ${problem}` });
        }),
    );
  }

  /** Is someone attached to the agent's pane? (unknown counts as no) */
  private async viewed(agent: string | null): Promise<boolean> {
    const pane = agent ? this.d.paneOf(agent) : null;
    if (!pane) return false;
    try {
      return (await this.d.viewedPanes()).includes(pane);
    } catch {
      return false;
    }
  }
}
