/**
 * What the supervisor answers on its control socket: one handler per command of the
 * contract (control/contract.ts), each given arguments the server has already checked.
 * Each resolves agent names, turns the request into core events, and waits for the effects
 * a caller expects to see finished (a stop returns once the agent's processes are gone).
 */
import { MusterError, UsageError } from '../errors.js';
import { resolveAgents } from './agent-names.js';
import { isAlive } from '../core/agent-state.js';
import type { CommandHandlers, HandlerArgs, SendReply } from './control/contract.js';
import type { CrewTmux, WorktreesPort } from './ports.js';
import type { Supervisor } from './supervisor.js';

export interface CommandDeps {
  supervisor: Supervisor;
  tmux: CrewTmux;
  worktrees: WorktreesPort;
  /** after `down` has stopped every agent and removed the sessions: ends the supervisor and its tmux server (after the reply) */
  end: () => void;
  /** the agent's check-ins and done messages from the event log, oldest first (a squash's message; without it: the last check-in the crew holds) */
  checkins?: (agent: string) => string[];
  /** how long `send` waits for a busy agent to become idle before it answers "queued" */
  sendTimeoutMs?: number;
}

export function commandHandlers(deps: CommandDeps): CommandHandlers {
  const { supervisor } = deps;
  const targets = (args: HandlerArgs<'stop'>): string[] =>
    args.all ? supervisor.allSpecs().map((s) => s.id) : resolveAgents(supervisor.allSpecs(), args.agents);
  return {
    status: () => supervisor.status(),
    stop: async (args) => {
      const ids = targets(args);
      supervisor.dispatch({ type: 'stop', agents: ids });
      await supervisor.idle(ids); // the kills have reported: each agent is stopped, survivors named
      const survivors = ids.flatMap((agent) => {
        const s = supervisor.crewState().agents[agent]?.status;
        return s?.state === 'stopped' && s.survivors.length > 0 ? [{ agent, pids: s.survivors }] : [];
      });
      return { agents: ids, survivors };
    },
    restart: async (args) => {
      const ids = targets(args);
      supervisor.dispatch({ type: 'reset', agents: ids, keepSession: args.resume });
      await supervisor.idle(ids);
      return { agents: ids };
    },
    pause: async (args) => {
      const ids = targets(args);
      supervisor.dispatch({ type: 'pause', agents: ids });
      await supervisor.idle(ids);
      return { agents: ids };
    },
    resume: async (args) => {
      const ids = targets(args);
      supervisor.dispatch({ type: 'resume', agents: ids });
      await supervisor.idle(ids);
      return { agents: ids };
    },
    send: (args) => send(deps, args.agent, args.message, args.force),
    nudge: (args) => {
      const ids = resolveAgents(supervisor.allSpecs(), [args.agent]);
      for (const agent of ids) supervisor.dispatch({ type: 'nudge', agent });
      return { agents: ids };
    },
    deliver: ({ id }) => {
      const h = supervisor.crewState().handoffs.find((x) => x.id === id);
      if (!h) throw new UsageError(`no handoff "${id}"`, 'See the pending handoffs with `muster status`.');
      if (h.state !== 'pending') return { id, state: h.state };
      supervisor.dispatch({ type: 'deliver', handoff: id });
      return { id, state: 'delivering' };
    },
    explain: async (args) => {
      const ids = resolveAgents(supervisor.allSpecs(), [args.agent]);
      if (ids.length !== 1) throw new UsageError(`"${args.agent}" names ${ids.length} agents; explain takes one`, `Pick one of: ${ids.join(', ')}`);
      const id = ids[0] as string;
      const reply = await supervisor.explain(id);
      if (!reply) throw new MusterError(`${id} is not running, so it has no screen to explain`, { hint: 'See `muster status`.' });
      return reply;
    },
    capture: async (args) => {
      const [id] = resolveAgents(supervisor.allSpecs(), [args.agent]);
      const pane = id ? supervisor.crewState().agents[id]?.pane : null;
      if (!id || !pane) return { agent: id ?? null, text: '' };
      return { agent: id, text: await deps.tmux.capture(pane, { lines: args.lines }) };
    },
    land: async (args) => {
      const specs = supervisor.allSpecs();
      const ids = resolveAgents(specs, [args.agent]);
      if (ids.length !== 1) throw new UsageError(`"${args.agent}" names ${ids.length} agents; land takes one`, `Pick one of: ${ids.join(', ')}`);
      const spec = specs.find((s) => s.id === ids[0]);
      if (!spec?.worktree) throw new UsageError(`${ids[0]} has no worktree (worktree: off)`, 'Give it `worktree: own` in its team file; see docs/worktrees.md.');
      const owner = spec.worktree.owner;
      // a squash's message: the agent's check-ins from the event log, as `muster land --squash` reads them
      const last = supervisor.crewState().agents[owner]?.checkinMessage;
      const checkins = args.squash ? (deps.checkins?.(owner) ?? (last ? [last] : [])) : [];
      const outcome = await deps.worktrees.land(owner, { squash: args.squash, into: args.into, checkins });
      const shared = spec.id !== owner && outcome.kind === 'landed' ? ` (${spec.id} works in ${owner}'s worktree)` : '';
      return { agent: owner, landed: outcome.kind === 'landed', message: outcome.message + shared };
    },
    down: async () => {
      const ids = supervisor.allSpecs().map((s) => s.id);
      supervisor.dispatch({ type: 'stop', agents: ids, reason: 'down' });
      await supervisor.idle(ids);
      for (const team of new Set(supervisor.allSpecs().map((s) => s.team))) await deps.tmux.killSession(team);
      deps.end();
      return { down: true };
    },
  };
}

/**
 * The message joins the agent's outbox and is typed once the agent is idle (at once with
 * `force`); the reply comes when it was typed, or says it is still queued.
 */
async function send(deps: CommandDeps, name: string, message: string, force: boolean): Promise<SendReply> {
  const ids = resolveAgents(deps.supervisor.allSpecs(), [name]);
  if (ids.length !== 1) throw new UsageError(`"${name}" names ${ids.length} agents; send takes one`, `Pick one of: ${ids.join(', ')}`);
  const id = ids[0] as string;
  const rt = deps.supervisor.crewState().agents[id];
  if (!rt || !isAlive(rt.status)) {
    throw new MusterError(`${id} is not running, so it cannot take a message`, { hint: `Start it with \`muster restart ${name}\`, then send again.` });
  }
  const itemId = `msg-${deps.supervisor.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const typed = deps.supervisor.waitTyped(itemId, deps.sendTimeoutMs ?? 120_000);
  deps.supervisor.dispatch({ type: 'message', agent: id, id: itemId, text: message, force });
  const result = await typed;
  if (result === 'timeout') return { agent: id, submitted: false, queued: true };
  return { agent: id, submitted: result.submitted, queued: result.queued ?? false, ...(result.why ? { why: result.why } : {}) };
}
