/**
 * `muster mcp`: a stdio MCP server for the agent it runs under (docs/commands.md, "muster
 * mcp"), so that an agent can check in, hand off and finish without a shell command. Its
 * tools write the same inbox records as `muster checkin|handoff|done` through the same
 * code (`recordFromAgent`): durable at once, with or without a supervisor. Identity comes
 * from MUSTER_AGENT and MUSTER_DIR (or -C). Nothing but the protocol goes to stdout.
 */
import * as path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { MusterError, renderError } from '../../errors.js';
import type { StatusView } from '../../supervisor/control/contract.js';
import { statePaths } from '../../supervisor/paths.js';
import type { CliContext } from '../context.js';
import { agentIdentity, recordFromAgent, recordedLine } from './inbox-commands.js';
import { crewStatus } from './status.js';

type ToolResult = { content: { type: 'text'; text: string }[]; isError?: boolean };

const text = (t: string, isError = false): ToolResult => ({ content: [{ type: 'text', text: t }], ...(isError ? { isError } : {}) });

/** Runs a tool's work; a muster error becomes a tool error the agent can read (what, then the hint). */
async function tool(work: () => Promise<string> | string): Promise<ToolResult> {
  try {
    return text(await work());
  } catch (err) {
    return text(renderError(err).text, true);
  }
}

/** The crew as an agent may see it: who is there, their state and last check-in, and the handoffs. */
export function crewForAgent(view: StatusView, self: string): object {
  return {
    you: self,
    supervisor: view.supervisor.running ? 'running' : 'not running',
    agents: view.agents.map((a) => ({
      id: a.id,
      state: a.state,
      reason: a.reason,
      activity: a.activity,
      checkin: a.checkin.message,
      checkedInAt: a.checkin.last,
    })),
    handoffs: view.handoffs.map((h) => ({ from: h.from, to: h.to, message: h.message, file: h.file, state: h.state })),
  };
}

/** `to` as the supervisor reads it (an agent of the same team, or team/agent), checked against the crew. */
function checkTarget(view: StatusView, self: string, to: string): string {
  const team = self.split('/')[0] ?? '';
  const id = to.includes('/') ? to : `${team}/${to}`;
  const known = view.agents.map((a) => a.id);
  if (!known.includes(id)) {
    throw new MusterError(`no agent "${to}" in this crew: nothing was recorded`, { hint: `Hand off to one of: ${known.filter((k) => k !== self).join(', ') || '(none)'}.` });
  }
  if (id === self) throw new MusterError(`${self} cannot hand off to itself: nothing was recorded`, { hint: 'Hand off to another agent of the crew.' });
  return id;
}

export async function runMcp(ctx: CliContext): Promise<number> {
  const { agent, stateDir } = agentIdentity(ctx, 'mcp');
  const project = path.dirname(stateDir);
  const crewCtx: CliContext = { ...ctx, dir: project, dirGiven: true, paths: statePaths(project) };
  const server = new McpServer({ name: 'muster', version: ctx.version });

  server.registerTool(
    'checkin',
    { description: `Report progress to muster, the supervisor of your crew (you are ${agent}). Counts as your check-in.`, inputSchema: { message: z.string().describe('one line on your progress').optional() } },
    ({ message }) => tool(() => recordedLine(recordFromAgent(crewCtx, { kind: 'checkin', to: null, message: message ?? null, file: null }))),
  );
  server.registerTool(
    'handoff',
    {
      description: 'Hand work to another agent of the crew: muster types your message into it once it is idle.',
      inputSchema: {
        to: z.string().min(1).describe('the agent: its name in your team, or team/agent'),
        message: z.string().min(1).describe('what to do'),
        file: z.string().optional().describe('a file inside the project that goes with the message'),
      },
    },
    ({ to, message, file }) =>
      tool(async () => {
        checkTarget(await crewStatus(crewCtx), agent, to);
        return recordedLine(recordFromAgent(crewCtx, { kind: 'handoff', to, message, file: file ?? null }));
      }),
  );
  server.registerTool(
    'done',
    { description: 'Tell muster your work is finished; agents that wait for you may start.', inputSchema: { message: z.string().describe('a summary of what you did').optional() } },
    ({ message }) => tool(() => recordedLine(recordFromAgent(crewCtx, { kind: 'done', to: null, message: message ?? null, file: null }))),
  );
  server.registerTool(
    'crew_status',
    { description: 'The crew: each agent with its state, activity and last check-in, and the handoffs.', inputSchema: {} },
    () => tool(async () => JSON.stringify(crewForAgent(await crewStatus(crewCtx), agent), null, 2)),
  );

  const closed = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });
  await server.connect(new StdioServerTransport());
  await closed;
  await server.close();
  return 0;
}
