/** One place that maps a command name to the module that runs it. */
import type { CliContext } from '../context.js';
import { runAgentCommand } from './agent-commands.js';
import { runAttach } from './attach.js';
import { runCleanup } from './cleanup.js';
import { runDown } from './down.js';
import { runExplain } from './explain.js';
import { runImport } from './import.js';
import { runInboxCommand } from './inbox-commands.js';
import { runInit } from './init.js';
import { runLogs } from './logs.js';
import { runReport } from './report.js';
import { runSchema } from './schema.js';
import { runStatus } from './status.js';
import { runUp } from './up.js';
import { runValidate } from './validate.js';
import { runWait } from './wait.js';
import { runDiff, runDiscard, runLand, runWorktrees } from './worktree-commands.js';

export type Flags = Record<string, string | boolean | undefined>;

export async function runCommand(ctx: CliContext, command: string, positionals: string[], flags: Flags): Promise<number> {
  switch (command) {
    case 'up':
      return runUp(ctx, positionals, { headless: Boolean(flags.headless), quiet: Boolean(flags.quiet) });
    case 'validate':
      return runValidate(ctx, positionals);
    case 'status':
      return runStatus(ctx, Boolean(flags.json));
    case 'stop':
    case 'restart':
    case 'pause':
    case 'resume':
    case 'send':
      return runAgentCommand(ctx, command, positionals, flags);
    case 'checkin':
    case 'handoff':
    case 'done':
      return runInboxCommand(ctx, command, positionals, flags);
    case 'explain':
      return runExplain(ctx, positionals[0] as string, Boolean(flags.json));
    case 'mcp': {
      const { runMcp } = await import('./mcp.js');
      return runMcp(ctx);
    }
    case 'attach':
      return runAttach(ctx, positionals[0] as string);
    case 'logs':
      return runLogs(ctx, positionals[0] as string, flags);
    case 'report':
      return runReport(ctx, Boolean(flags.json));
    case 'worktrees':
      return runWorktrees(ctx, Boolean(flags.json));
    case 'diff':
      return runDiff(ctx, positionals[0] as string, Boolean(flags.stat));
    case 'land':
      return runLand(ctx, positionals[0] as string, flags);
    case 'discard':
      return runDiscard(ctx, positionals[0] as string, Boolean(flags.force));
    case 'down':
      return runDown(ctx);
    case 'cleanup':
      return runCleanup(ctx, Boolean(flags.yes));
    case 'import':
      return runImport(ctx, positionals[0] as string, flags);
    case 'init':
      return runInit(ctx, flags);
    case 'wait':
      return runWait(ctx, positionals, flags);
    case 'schema':
      return runSchema(ctx, positionals[0]);
    default:
      throw new Error(`command ${command} has no implementation`);
  }
}
