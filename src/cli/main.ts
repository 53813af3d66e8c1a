#!/usr/bin/env node
/**
 * The `muster` command: parses the command line and hands over to one command module.
 * Errors end here: rendered as docs/commands.md says (what and where, then what to do) with their
 * exit code.
 */
import { renderError } from '../errors.js';
import { helpText, parseCommandLine } from './args.js';
import { createContext, packageVersion } from './context.js';

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(helpText(parsed.command, packageVersion()));
    return 0;
  }
  const ctx = createContext(parsed.dir);
  if (parsed.command === 'completion') {
    // Shells ask on every Tab: answer without loading the rest of muster.
    const { runCompletion } = await import('./commands/completion.js');
    return runCompletion(ctx.dir, parsed.positionals[0], parsed.flags, ctx.stdout);
  }
  const { runCommand } = await import('./commands/dispatch.js');
  return runCommand(ctx, parsed.command, parsed.positionals, parsed.flags);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const { text, exitCode } = renderError(err);
    process.stderr.write(`${text}\n`);
    process.exitCode = exitCode;
  },
);
