/**
 * `muster explain AGENT [--json]`: why the agent is busy, idle or waiting now — the live
 * region of its screen, the preset rule that matched (file and line), the quiet time, its
 * input line and what would change the verdict (docs/presets.md, "Fixing a preset").
 * Asks the running supervisor, which looks at the pane afresh.
 */
import type { ExplainReply } from '../../supervisor/control/contract.js';
import { connectSupervisor } from '../compose.js';
import { writeLine, type CliContext } from '../context.js';

export async function runExplain(ctx: CliContext, agent: string, json: boolean): Promise<number> {
  const client = await connectSupervisor(ctx.paths.stateDir, { timeoutMs: 2000 });
  try {
    const reply: ExplainReply = await client.request('explain', { agent });
    if (json) {
      writeLine(ctx.stdout, JSON.stringify(reply, null, 2));
      return 0;
    }
    for (const line of reply.text) writeLine(ctx.stdout, line);
    const held = reply.held.activity ? `${reply.held.activity}${reply.held.reason ? ` (${reply.held.reason})` : ''}` : 'nothing yet';
    if (reply.held.activity !== reply.activity || reply.held.reason !== reply.reason) writeLine(ctx.stdout, `  status shows: ${held} (from the last pulse, or while muster types)`);
    return 0;
  } finally {
    client.close();
  }
}
