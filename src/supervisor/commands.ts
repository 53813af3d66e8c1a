/**
 * What the supervisor answers on its control socket. Each command resolves agent names,
 * turns the request into core events, and waits for the effects a caller expects to see
 * finished (a stop returns once the agent's processes are gone).
 */
import { MusterError, UsageError } from '../errors.js';
import { resolveAgents } from './agent-names.js';
import { submitText } from './submit-text.js';
import type { CrewTmux } from './ports.js';
import type { Supervisor } from './supervisor.js';

export interface CommandDeps {
  supervisor: Supervisor;
  tmux: CrewTmux;
  sleep: (ms: number) => Promise<void>;
  /** tears the whole crew down (sessions, then the supervisor and its server) */
  down: () => Promise<void>;
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
      return send(deps, String(args.agent ?? ''), String(args.message ?? ''));
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

async function send(deps: CommandDeps, name: string, message: string) {
  const [id] = resolveAgents(deps.supervisor.allSpecs(), [name]);
  const rt = id ? deps.supervisor.crewState().agents[id] : undefined;
  if (!id || !rt?.pane || rt.pid === null) {
    throw new MusterError(`${name} is not running, so it cannot take a message`, { hint: `Start it with \`muster restart ${name}\`, then send again.` });
  }
  const result = await submitText(deps.tmux, rt.pane, message, { sleep: deps.sleep });
  return { agent: id, ...result };
}
