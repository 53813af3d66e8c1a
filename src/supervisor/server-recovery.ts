/**
 * What the supervisor does when its control connection to the crew's tmux server drops
 * without anyone asking (the server crashed, was killed by hand, or only our client
 * went). It reconnects — starting a new server when the old one is gone — and has the
 * supervisor judge what was lost: agents whose panes went with the server are `vanished`,
 * and their restart policies bring them back. Losing the server again and again is not
 * fought forever: past `maxLosses` within `windowMs` the supervisor gives up and ends
 * with an error, for the user or a service manager to act on.
 */

export interface RecoveryPort {
  /** does the crew's tmux server still answer? */
  serverAnswers(): Promise<boolean>;
  /** reconnects the control client, starting a server when none answers */
  reopen(): Promise<void>;
  /** tells the supervisor (so that it re-reads the panes and judges the losses) */
  reconnected(reason: string, serverWasLost: boolean): Promise<void>;
  /** ends the supervisor with this failure */
  giveUp(failure: string): void;
  now(): number;
}

export interface RecoveryPolicy {
  maxLosses: number;
  windowMs: number;
}

export const DEFAULT_RECOVERY: RecoveryPolicy = { maxLosses: 3, windowMs: 60_000 };

/** Pure: given the times of earlier losses, is one more at `now` still worth recovering from? */
export function recoveryVerdict(losses: readonly number[], now: number, policy: RecoveryPolicy): { recover: boolean; losses: number[] } {
  const recent = [...losses.filter((t) => now - t < policy.windowMs), now];
  return { recover: recent.length <= policy.maxLosses, losses: recent };
}

export class ServerRecovery {
  private losses: number[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly port: RecoveryPort,
    private readonly policy: RecoveryPolicy = DEFAULT_RECOVERY,
  ) {}

  /** The control client exited unasked. Concurrent calls share one recovery. */
  lost(reason: string): Promise<void> {
    this.running ??= this.recover(reason).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async recover(reason: string): Promise<void> {
    const verdict = recoveryVerdict(this.losses, this.port.now(), this.policy);
    this.losses = verdict.losses;
    if (!verdict.recover) {
      this.port.giveUp(
        `the connection to the crew's tmux server was lost ${verdict.losses.length} times within ${Math.round(this.policy.windowMs / 1000)} s (last: ${reason}); muster stopped trying`,
      );
      return;
    }
    try {
      const serverWasLost = !(await this.port.serverAnswers());
      await this.port.reopen();
      await this.port.reconnected(reason, serverWasLost);
    } catch (err) {
      this.port.giveUp(`the crew's tmux server was lost (${reason}) and could not be reached again: ${(err as Error).message}`);
    }
  }
}
