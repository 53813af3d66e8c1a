/**
 * The TUI's connection to the supervisor: subscribes, feeds snapshots and events into
 * the store, sends commands, and reconnects when the connection drops (the supervisor
 * restarted, or went away and came back).
 */
import { MusterError } from '../errors.js';
import type { ControlClient } from '../supervisor/control/control-client.js';
import type { CommandArgs, CommandName, CommandReply, CrewNotice } from '../supervisor/control/contract.js';
import type { TuiStore } from './tui-store.js';

export type CrewClient = ControlClient;

export interface LinkOptions {
  store: TuiStore;
  /** opens a connection to the supervisor */
  connect: () => Promise<CrewClient>;
  /** wait between reconnection attempts (default 2000 ms) */
  retryMs?: number;
  /** called after each snapshot went into the store */
  onSnapshot?: () => void;
  /** called with each event line as it arrives (after it went into the store) */
  onEvent?: (event: CrewNotice) => void;
}

export class SupervisorLink {
  private client: CrewClient | null = null;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: LinkOptions) {}

  /** Connects and subscribes; on failure keeps retrying in the background. Resolves with whether the first try worked. */
  async start(): Promise<boolean> {
    try {
      await this.connectOnce();
      return true;
    } catch (err) {
      this.opts.store.notice('error', `cannot reach the supervisor: ${(err as Error).message}`);
      this.scheduleRetry();
      return false;
    }
  }

  private async connectOnce(): Promise<void> {
    const client = await this.opts.connect();
    if (this.closed) {
      client.close();
      return;
    }
    const { store } = this.opts;
    client.onClose((err) => {
      if (this.client !== client) return;
      this.client = null;
      if (this.closed) return;
      store.setConnected(false);
      store.notice('warn', `lost the supervisor${err ? `: ${err.message}` : ''}; retrying`);
      this.scheduleRetry();
    });
    try {
      await client.subscribe((message) => {
        if (message.type === 'snapshot') {
          store.applySnapshot(message.snapshot);
          this.opts.onSnapshot?.();
        } else {
          store.addEvent({ time: message.event.time, level: message.event.level, agent: message.event.agent, message: message.event.message });
          this.opts.onEvent?.(message.event);
        }
      });
    } catch (err) {
      client.close();
      throw err;
    }
    this.client = client;
    store.setConnected(true);
    store.notice('info', `connected to the supervisor on ${client.socketPath}`);
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connectOnce().then(
        () => undefined,
        () => this.scheduleRetry(),
      );
    }, this.opts.retryMs ?? 2000);
  }

  /** Sends a command of the contract to the supervisor (within the command's timeout). */
  request<C extends CommandName>(cmd: C, args: CommandArgs<C>): Promise<CommandReply<C>> {
    if (!this.client) return Promise.reject(new MusterError('not connected to the supervisor'));
    return this.client.request(cmd, args);
  }

  /** Ends the connection for good (the supervisor keeps running). */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    client?.close();
  }
}
