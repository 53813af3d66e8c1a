/**
 * Carries out the keymap's actions: changes to the TUI state, and commands to the
 * supervisor. Holds no supervision logic: every effect on the crew is a request on the
 * control socket, whose answer (or error) is shown on the event line.
 */
import type { AgentStatusView, CommandArgs, CommandName, CommandReply, DeliverReply, SendReply, StopReply } from '../supervisor/control/contract.js';
import type { TuiAction } from './keymap.js';
import { listedAgents, moveSelection, pendingHandoffs, selectedAgent, selectedHandoff, selectNextNeedsYou } from './selection.js';
import type { TuiStore } from './tui-store.js';
import type { Mode, TuiState } from './tui-state.js';

/** What the controller needs from the rest of the TUI. */
export interface ControllerPorts {
  /** a command to the supervisor; rejects with its error (or when it was not answered in time) */
  request<C extends CommandName>(cmd: C, args: CommandArgs<C>): Promise<CommandReply<C>>;
  /** puts the terminal on this agent's pane */
  attach(agent: AgentStatusView): void;
  /** the emergency cleanup (already confirmed) */
  cleanup(): void;
  /** puts the terminal on the agent's diff (its worktree against its base) */
  diff(agent: AgentStatusView): void;
  /** leaves the TUI; the crew keeps running */
  quit(): void;
}

/** How a command ended, for the event line. */
interface Outcome {
  level: 'info' | 'warn';
  text: string;
}

/** What `send` answered: submitted, queued until the agent is idle, or given up (and why). */
export function sendOutcome(agent: string, result: SendReply): Outcome {
  if (result.queued) return { level: 'info', text: `message queued for ${agent}; it is typed in once the agent is idle` };
  if (!result.submitted) return { level: 'warn', text: `message not delivered to ${agent}: ${result.why ?? 'the agent did not take it'}` };
  return { level: 'info', text: `message submitted to ${agent}` };
}

/** What `stop` answered: stopped, or processes that survived SIGKILL. */
export function stopOutcome(done: string, result: StopReply): Outcome {
  if (result.survivors.length === 0) return { level: 'info', text: done };
  const left = result.survivors.map((s) => `${s.agent} (pid ${s.pids.join(', ')})`).join('; ');
  return { level: 'warn', text: `stopped, but processes survived SIGKILL: ${left}` };
}

/** What `deliver` answered: on its way, or already delivered. */
export function deliverOutcome(to: string, result: DeliverReply): Outcome {
  if (result.state !== 'delivering') return { level: 'warn', text: `the handoff to ${to} is already ${result.state}` };
  return { level: 'info', text: `handoff to ${to} is being delivered` };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class TuiController {
  constructor(
    private readonly store: TuiStore,
    private readonly ports: ControllerPorts,
  ) {}

  private get state(): TuiState {
    return this.store.getState();
  }

  private setMode(mode: Mode): void {
    this.store.update((s) => ({ ...s, mode }));
  }

  /** Does what `action` asks. */
  handle(action: TuiAction): void {
    switch (action.type) {
      case 'move':
        this.store.update((s) => moveSelection(s, action.delta));
        return;
      case 'nextPanel':
        this.store.update((s) => ({
          ...s,
          panel: s.panel === 'agents' && pendingHandoffs(s).length > 0 ? 'handoffs' : 'agents',
        }));
        return;
      case 'attach':
        return this.withAgent('attach', (a) => {
          if (a.pane === null) this.store.notice('warn', `${a.id} has no pane to attach to (${a.state})`, a.id);
          else this.ports.attach(a);
        });
      case 'stop':
        return this.withAgent('stop', (a) => this.command('stop', { agents: [a.id] }, `stopping ${a.id}`, (r) => stopOutcome(`${a.id} stopped`, r), a.id));
      case 'reset':
        return this.withAgent('reset', (a) => this.command('restart', { agents: [a.id] }, `resetting ${a.id}`, `${a.id} reset`, a.id));
      case 'pauseResume':
        return this.withAgent('pause', (a) =>
          a.state === 'paused'
            ? this.command('resume', { agents: [a.id] }, `resuming ${a.id}`, `${a.id} resumed`, a.id)
            : this.command('pause', { agents: [a.id] }, `pausing ${a.id}`, `${a.id} paused`, a.id),
        );
      case 'message':
        return this.withAgent('message', (a) => this.setMode({ kind: 'message', agent: a.id, text: '' }));
      case 'nudge':
        return this.withAgent('nudge', (a) => this.command('nudge', { agent: a.id }, `nudging ${a.id}`, `${a.id} nudged to check in`, a.id));
      case 'deliver':
        return this.deliver();
      case 'nextNeedsYou': {
        const before = this.state.selectedId;
        this.store.update(selectNextNeedsYou);
        const now = selectedAgent(this.state);
        if (!now?.needsYou) this.store.notice('info', 'no agent needs you');
        else if (now.id === before) this.store.notice('info', `${now.id} is the only agent that needs you`, now.id);
        return;
      }
      case 'diff':
        return this.withAgent('diff', (a) => {
          if (this.hasWorktree(a)) this.ports.diff(a);
        });
      case 'land':
        return this.withAgent('land', (a) => {
          if (!this.hasWorktree(a)) return;
          const w = a.worktree;
          const what = w ? `${w.branch} into ${w.into ?? 'its base branch'}` : `the branch of ${a.id}`;
          const prompt = `Land ${what}? y merge, s squash into one commit, N cancel`;
          this.setMode({ kind: 'confirm', action: 'land', agent: a.id, prompt });
        });
      case 'stopAll': {
        const n = this.state.snapshot?.agents.length ?? 0;
        this.setMode({ kind: 'confirm', action: 'stopAll', prompt: `Stop all ${n} agent(s)? (y/N)` });
        return;
      }
      case 'cleanup':
        this.setMode({
          kind: 'confirm',
          action: 'cleanup',
          prompt: 'EMERGENCY CLEANUP: kill every process of the crew and its tmux server? (y/N)',
        });
        return;
      case 'confirm':
        return this.confirm(false);
      case 'confirmSquash':
        return this.state.mode.kind === 'confirm' && this.state.mode.action === 'land' ? this.confirm(true) : this.cancel();
      case 'cancel':
        return this.cancel();
      case 'filter':
        this.setMode({ kind: 'filter', text: this.state.filter });
        return;
      case 'clearFilter':
        if (this.state.filter !== '') this.store.update((s) => ({ ...s, filter: '' }));
        return;
      case 'help':
        this.setMode({ kind: 'help' });
        return;
      case 'closeHelp':
        this.setMode({ kind: 'normal' });
        return;
      case 'quit':
        this.ports.quit();
        return;
      case 'inputText':
        return this.editInput((t) => t + action.text);
      case 'inputBackspace':
        return this.editInput((t) => Array.from(t).slice(0, -1).join(''));
      case 'inputSubmit':
        return this.submitInput();
    }
  }

  /** Says so on the event line when the agent has no worktree to diff or land (`worktree` is absent without one). */
  private hasWorktree(a: AgentStatusView): boolean {
    if (a.worktree !== undefined) return true;
    this.store.notice('warn', `${a.id} has no worktree (worktree: off)`, a.id);
    return false;
  }

  private withAgent(what: string, fn: (agent: AgentStatusView) => void): void {
    const agent = selectedAgent(this.state);
    if (agent) fn(agent);
    else this.store.notice('warn', listedAgents(this.state).length === 0 ? `no agent to ${what}` : `select an agent to ${what}`);
  }

  /** Sends a command; the event line says it started, then how it ended (`done` may read the answer). */
  private command<C extends CommandName>(
    cmd: C,
    args: CommandArgs<C>,
    doing: string,
    done: string | ((result: CommandReply<C>) => Outcome),
    agent: string | null,
  ): void {
    this.store.notice('info', `${doing}…`, agent);
    this.ports.request(cmd, args).then(
      (result) => {
        const outcome = typeof done === 'string' ? { level: 'info' as const, text: done } : done(result);
        this.store.notice(outcome.level, outcome.text, agent);
      },
      (err: unknown) => this.store.notice('error', `${cmd} failed: ${errorText(err)}`, agent),
    );
  }

  private deliver(): void {
    const state = this.state;
    const agent = selectedAgent(state);
    const handoff =
      state.panel === 'handoffs'
        ? selectedHandoff(state)
        : (pendingHandoffs(state).find((h) => h.to === agent?.id) ?? null);
    if (!handoff) {
      this.store.notice('warn', state.panel === 'handoffs' ? 'no pending handoff to deliver' : `no pending handoff to ${agent?.id ?? 'the selected agent'} (Tab selects one in the list)`);
      return;
    }
    this.command('deliver', { id: handoff.id }, `delivering handoff ${handoff.from} → ${handoff.to}`, (r) => deliverOutcome(handoff.to, r), handoff.to);
  }

  /** `squash`: a land's answer `s` (one commit, its message from the agent's check-ins; docs/worktrees.md). */
  private confirm(squash: boolean): void {
    const mode = this.state.mode;
    this.setMode({ kind: 'normal' });
    if (mode.kind !== 'confirm') return;
    if (mode.action === 'stopAll') this.command('stop', { all: true }, 'stopping all agents', (r) => stopOutcome('all agents stopped', r), null);
    else if (mode.action === 'land') {
      // the supervisor's `land` (contract.ts); a refusal changed nothing and says why
      const agent = mode.agent;
      this.store.notice('info', `landing ${agent}${squash ? ' as one squashed commit' : ''}…`, agent);
      this.ports.request('land', { agent, squash }).then(
        (r) => this.store.notice('info', r.message, agent),
        (err: unknown) => {
          const hint = (err as { hint?: unknown }).hint;
          this.store.notice('error', `land refused: ${errorText(err)}${typeof hint === 'string' && hint ? ` — ${hint}` : ''}`, agent);
        },
      );
    } else this.ports.cleanup();
  }

  private cancel(): void {
    const mode = this.state.mode;
    if (mode.kind === 'filter') {
      this.store.update((s) => ({ ...s, filter: '', mode: { kind: 'normal' } }));
      return;
    }
    this.setMode({ kind: 'normal' });
    if (mode.kind === 'confirm') this.store.notice('info', 'cancelled');
    if (mode.kind === 'message') this.store.notice('info', 'message not sent', mode.agent);
  }

  private editInput(edit: (text: string) => string): void {
    const mode = this.state.mode;
    if (mode.kind === 'message' || mode.kind === 'filter') this.setMode({ ...mode, text: edit(mode.text) });
  }

  private submitInput(): void {
    const mode = this.state.mode;
    if (mode.kind === 'filter') {
      this.store.update((s) => ({ ...s, filter: mode.text.trim(), mode: { kind: 'normal' } }));
      return;
    }
    if (mode.kind !== 'message') return;
    this.setMode({ kind: 'normal' });
    const text = mode.text.trim();
    if (text === '') {
      this.store.notice('info', 'empty message not sent', mode.agent);
      return;
    }
    this.command('send', { agent: mode.agent, message: text }, `sending to ${mode.agent}`, (r) => sendOutcome(mode.agent, r), mode.agent);
  }
}
