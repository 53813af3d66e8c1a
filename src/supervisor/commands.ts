/**
 * What the supervisor answers on its control socket. Each command resolves agent names,
 * turns the request into core events, and waits for the effects a caller expects to see
 * finished (a stop returns once the agent's processes are gone).
 */
import { MusterError, UsageError } from '../errors.js';
import { resolveAgents } from './agent-names.js';
import { isAlive } from '../core/agent-state.js';
import type { CrewTmux } from './ports.js';
import type { Supervisor } from './supervisor.js';

export interface CommandDeps {
  supervisor: Supervisor;
  tmux: CrewTmux;
  sleep: (ms: number) => Promise<void>;
  /** tears the whole crew down (sessions, then the supervisor and its server) */
  down: () => Promise<void>;
  /** how long `send` waits for a busy agent to become idle before it answers "queued" */
  sendTimeoutMs?: number;
}

interface AgentsArgs {
  agents?: string[];
  all?: boolean;
}

export async function handleCommand(deps: CommandDeps, cmd: string, rawArgs: unknown): Promise<unknown> {
  const { supervisor } = deps;
  const args = (rawArgs ?? {}) as Record<string, unknown>;
  switch (cmd) {
    case 'status':
      return supervisor.status();
    case 'stop': {
      const ids = targets(deps, args as AgentsArgs);
      supervisor.dispatch({ type: 'stop', agents: ids });
      await supervisor.idle(ids);
      return { agents: ids };
    }
    case 'restart': {
      const ids = targets(deps, args as AgentsArgs);
      supervisor.dispatch({ type: 'reset', agents: ids });
      await supervisor.idle(ids);
      return { agents: ids };
    }
    case 'pause':
    case 'resume': {
      const ids = targets(deps, args as AgentsArgs);
      supervisor.dispatch({ type: cmd, agents: ids });
      await supervisor.idle(ids);
      return { agents: ids };
    }
    case 'send':
      return send(deps, String(args.agent ?? ''), String(args.message ?? ''), args.force === true);
    case 'nudge': {
      const ids = resolveAgents(supervisor.allSpecs(), [String(args.agent ?? '')]);
      for (const agent of ids) supervisor.dispatch({ type: 'nudge', agent });
      return { agents: ids };
    }
    case 'deliver': {
      const id = String(args.id ?? '');
      const h = supervisor.crewState().handoffs.find((x) => x.id === id);
      if (!h) throw new UsageError(`no handoff "${id}"`, 'See the pending handoffs with `muster status`.');
      if (h.state !== 'pending') return { id, state: h.state };
      supervisor.dispatch({ type: 'deliver', handoff: id });
      return { id, state: 'delivering' };
    }
    case 'capture': {
      const [id] = resolveAgents(supervisor.allSpecs(), [String(args.agent ?? '')]);
      const pane = id ? supervisor.crewState().agents[id]?.pane : null;
      if (!id || !pane) return { agent: id ?? null, text: '' };
      const lines = typeof args.lines === 'number' ? args.lines : 0;
      return { agent: id, text: await deps.tmux.capture(pane, { lines }) };
    }
    case 'down':
      await deps.down();
      return { down: true };
    default:
      throw new UsageError(`the supervisor does not know the command "${cmd}"`, 'Is this muster older than the client? Run `muster --version`.');
  }
}

function targets(deps: CommandDeps, args: AgentsArgs): string[] {
  if (args.all) return deps.supervisor.allSpecs().map((s) => s.id);
  return resolveAgents(deps.supervisor.allSpecs(), args.agents ?? []);
}

/**
 * The message joins the agent's outbox and is typed once the agent is idle (at once with
 * `force`); the reply comes when it was typed, or says it is still queued.
 */
async function send(deps: CommandDeps, name: string, message: string, force: boolean) {
  const ids = resolveAgents(deps.supervisor.allSpecs(), [name]);
  if (ids.length !== 1) throw new UsageError(`"${name}" names ${ids.length} agents; send takes one`, `Pick one of: ${ids.join(', ')}`);
  const id = ids[0] as string;
  const rt = deps.supervisor.crewState().agents[id];
  if (!rt || !isAlive(rt.status)) {
    throw new MusterError(`${id} is not running, so it cannot take a message`, { hint: `Start it with \`muster restart ${name}\`, then send again.` });
  }
  const itemId = `msg-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const typed = deps.supervisor.waitTyped(itemId, deps.sendTimeoutMs ?? 120_000);
  deps.supervisor.dispatch({ type: 'message', agent: id, id: itemId, text: message, force });
  const result = await typed;
  if (result === 'timeout') return { agent: id, submitted: false, queued: true };
  return { agent: id, submitted: result, queued: false };
}
