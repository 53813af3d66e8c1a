#!/usr/bin/env node
/**
 * The `muster` command: parses the command line and hands over to one command module.
 * Errors end here: rendered as the README says ("Commands": what and where, then what to do) with their
 * exit code.
 */
import { renderError } from '../errors.js';
import { helpText, parseCommandLine } from './args.js';
import { createContext, packageVersion } from './context.js';
import { runCommand } from './commands/dispatch.js';

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
