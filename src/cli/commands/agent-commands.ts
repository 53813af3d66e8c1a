/**
 * `muster stop|restart|pause|resume AGENT…` and `muster send AGENT MESSAGE`: requests to
 * the running supervisor, which owns the crew's state. `send` also works without one.
 */
import { loadProject } from '../../config/load-project.js';
import { MusterError } from '../../errors.js';
import { resolveAgents } from '../../supervisor/agent-names.js';
import type { ControlClient } from '../../supervisor/control/control-client.js';
import type { AgentsReply, StopReply } from '../../supervisor/control/contract.js';
import { prepareText } from '../../activity/typing-text.js';
import { submitText } from '../../supervisor/submit-text.js';
import { connectSupervisor, crewServerFor } from '../compose.js';
import { writeLine, type CliContext } from '../context.js';
import type { Flags } from './dispatch.js';
import { sleep } from '../../sys/time.js';

export type AgentCommand = 'stop' | 'restart' | 'pause' | 'resume';

const PAST: Record<AgentCommand, string> = { stop: 'stopped', restart: 'restarted', pause: 'paused', resume: 'resumed' };

export async function runAgentCommand(ctx: CliContext, command: AgentCommand | 'send', positionals: string[], flags: Flags): Promise<number> {
  if (command === 'send') return send(ctx, positionals[0] as string, positionals[1] as string, Boolean(flags.force));
  const client = await connectSupervisor(ctx.paths.stateDir, { timeoutMs: 2000 });
  try {
    const args = { ...(flags.all ? { all: true } : { agents: positionals }), ...(command === 'restart' && flags.resume ? { resume: true } : {}) };
    const result: AgentsReply & Partial<StopReply> = await client.request(command, args);
    const survivors = result.survivors ?? [];
    const clean = result.agents.filter((a) => !survivors.some((s) => s.agent === a));
    if (clean.length > 0 || survivors.length === 0) writeLine(ctx.stdout, `muster: ${PAST[command]} ${clean.join(', ') || 'nothing'}`);
    for (const s of survivors) {
      writeLine(ctx.stderr, `muster: ${s.agent}: ${s.pids.length} process(es) survived SIGKILL: ${s.pids.join(' ')}`);
    }
    if (survivors.length > 0) {
      writeLine(ctx.stderr, 'hint: A process that ignores SIGKILL is stuck in the kernel (or frozen); `muster status` shows the agent, `muster cleanup` tries again.');
      return 1;
    }
    return 0;
  } finally {
    client.close();
  }
}

async function send(ctx: CliContext, name: string, message: string, force: boolean): Promise<number> {
  let client: ControlClient | null = null;
  try {
    client = await connectSupervisor(ctx.paths.stateDir, { timeoutMs: 1000 });
  } catch {
    client = null;
  }
  let result: { agent: string; submitted: boolean; queued?: boolean; why?: string };
  if (client) {
    try {
      result = await client.request('send', { agent: name, message, force });
    } finally {
      client.close();
    }
  } else {
    result = await sendDirect(ctx, name, message);
  }
  if (result.queued) {
    const why = result.why ? `: ${result.why}` : ' is busy';
    writeLine(ctx.stdout, `muster: ${result.agent}${why}; the message is queued and will be typed once it is idle${result.why ? '' : ' (--force types it now)'}`);
    return 0;
  }
  if (!result.submitted) {
    throw new MusterError(`the message was not delivered to ${result.agent}: ${result.why ?? 'the agent did not take it'}`, {
      hint: `Look at it with \`muster attach ${result.agent}\` or \`muster explain ${result.agent}\`.`,
    });
  }
  writeLine(ctx.stdout, `muster: sent to ${result.agent}`);
  return 0;
}

/** No supervisor: type straight into the agent's pane. */
async function sendDirect(ctx: CliContext, name: string, message: string) {
  const project = await loadProject(ctx.dir);
  const specs = project.teams.flatMap((t) => t.agents);
  const [id] = resolveAgents(specs, [name]);
  const spec = specs.find((s) => s.id === id);
  const server = crewServerFor(ctx.dir);
  if (!(await server.answers())) {
    throw new MusterError('the crew is not running', { hint: 'Start it with `muster up`.' });
  }
  await server.open({ start: false });
  try {
    const pane = (await server.listPanes()).find((p) => p.agentId === id && !p.dead);
    if (!pane || !id || !spec) throw new MusterError(`${name} is not running, so it cannot take a message`, { hint: 'See `muster status`.' });
    // No supervisor to queue it: typed now whatever the agent does, but never into a prompt.
    const r = await submitText(server, pane.paneId, prepareText(message), { preset: spec.preset, sleep, force: true });
    return { agent: id, submitted: r.result === 'submitted', why: r.result === 'submitted' ? undefined : r.why };
  } finally {
    await server.close();
  }
}
