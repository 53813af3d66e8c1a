/**
 * `muster import FILE` (docs/commands.md#muster-import-file): a team file (and a layout)
 * from a tmuxinator or tmuxp file or a Procfile. What cannot be carried over is listed
 * with the line it came from; the files written pass `muster validate`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { displayPath } from '../../config/load-project.js';
import { toName } from '../../config/schema.js';
import { parseYamlSource } from '../../config/yaml-source.js';
import { ConfigError, formatProblem, MusterError, UsageError, type FileProblem } from '../../errors.js';
import { renderImport, type Imported } from '../../import/imported.js';
import { readProcfile } from '../../import/procfile.js';
import { isMap } from '../../import/source-helpers.js';
import { readTmuxinator } from '../../import/tmuxinator.js';
import { readTmuxp } from '../../import/tmuxp.js';
import { writeLine, type CliContext } from '../context.js';
import { plannedProblems, refuseClashes, schemaRef, writeProjectFiles, type PlannedFile } from '../project-files.js';
import type { Flags } from './dispatch.js';

const FORMATS = ['tmuxinator', 'tmuxp', 'procfile'] as const;
const FIX_AND_RETRY = 'Fix the file at the places named above (nothing was written), then run `muster import` again.';
type Format = (typeof FORMATS)[number];

export async function runImport(ctx: CliContext, file: string, flags: Flags): Promise<number> {
  const abs = path.resolve(file);
  const shown = displayPath(process.cwd(), abs);
  const format = flags.format === undefined ? null : String(flags.format);
  if (format !== null && !(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: unknown format "${format}"`, `Use ${FORMATS.join(', ')}.`);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${shown}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : (err as Error).message}`, 'Name a tmuxinator or tmuxp file, or a Procfile.');
  }
  const imported = read(shown, text, (format as Format | null) ?? detect(abs, text));
  const name = typeof flags.name === 'string' ? flags.name : toName(imported.name ?? path.basename(ctx.dir), 'crew');
  if (toName(name, '') !== name) throw new UsageError(`--name: bad team name "${name}"`, 'Use a-z, 0-9, _ and -, starting with a letter, at most 32 characters.');
  const schema = { team: schemaRef(ctx.dir, path.join(ctx.dir, 'teams'), 'team'), layout: schemaRef(ctx.dir, path.join(ctx.dir, 'layouts'), 'layout') };
  const out = renderImport(imported, name, shown, schema);
  const files: PlannedFile[] = [out.team, ...(out.layout ? [out.layout] : [])];
  if (flags.stdout) {
    for (const f of files) ctx.stdout.write(`# ---- ${f.path}\n${f.text}`);
  } else {
    refuseClashes(ctx.dir, files, flags.force === true);
    // Working directories are carried over as they are: the file may come from another machine.
    const problems = await plannedProblems(ctx.dir, files, [out.team.path], { assumeFolders: true });
    if (problems.length > 0) {
      throw new MusterError(`the imported team would not validate (nothing was written): ${new ConfigError(problems).message}`, {
        hint: 'This is a bug in muster import; please report it with the file you imported.',
      });
    }
    writeProjectFiles(ctx.dir, files);
    writeLine(ctx.stdout, `muster: wrote ${files.map((f) => f.path).join(' and ')}: team ${name}, ${out.agents.length} agent(s): ${out.agents.join(', ')}`);
    const later = await plannedProblems(ctx.dir, [], [out.team.path]);
    if (later.length > 0) {
      writeLine(ctx.stdout, `before muster up (${later.length}): folders the imported file names that this machine does not have`);
      for (const p of later) writeLine(ctx.stdout, `  ${formatProblem(p)}`);
    }
  }
  // With --stdout the files go to stdout; the report goes to stderr so they stay clean.
  report(flags.stdout ? ctx.stderr : ctx.stdout, imported.unmapped);
  if (!flags.stdout) writeLine(ctx.stdout, `next: muster validate, then muster up${listsTeams(ctx.dir) ? ` (muster.yaml lists its teams: add ${out.team.path} there)` : ''}`);
  return 0;
}

/** What could not be carried over, one line each, at its place in the source. */
function report(out: NodeJS.WritableStream, unmapped: readonly FileProblem[]): void {
  if (unmapped.length === 0) return;
  writeLine(out, `not carried over (${unmapped.length}):`);
  for (const p of [...unmapped].sort((a, b) => a.line - b.line || a.col - b.col)) writeLine(out, `  ${formatProblem(p)}`);
}

function read(shown: string, text: string, format: Format): Imported {
  let result: { imported: Imported | null; fatal: FileProblem[] };
  if (format === 'procfile') {
    result = readProcfile(shown, text);
  } else {
    const src = parseYamlSource(shown, text);
    if (src.syntaxProblems.length > 0) throw new ConfigError(src.syntaxProblems, FIX_AND_RETRY);
    if (src.value === null || src.value === undefined) throw new ConfigError([{ file: shown, line: 1, col: 1, message: `the file is empty: a ${format} file lists windows` }], FIX_AND_RETRY);
    result = format === 'tmuxp' ? readTmuxp(src) : readTmuxinator(src);
  }
  if (result.imported === null) throw new ConfigError(result.fatal, FIX_AND_RETRY);
  return result.imported;
}

/** The format from the file's name and content. */
function detect(abs: string, text: string): Format {
  const base = path.basename(abs);
  if (/^procfile/i.test(base)) return 'procfile';
  const src = parseYamlSource(base, text);
  const value = src.value;
  if (isMap(value)) {
    const windows = Array.isArray(value.windows) ? value.windows : [];
    if ('session_name' in value || windows.some((w) => isMap(w) && ('window_name' in w || 'panes' in w))) return 'tmuxp';
    if ('windows' in value || 'tabs' in value || 'root' in value || 'project_name' in value || 'name' in value) return 'tmuxinator';
  }
  if (src.syntaxProblems.length > 0 && /tmuxinator/i.test(abs)) return 'tmuxinator';
  if (src.syntaxProblems.length > 0 && /tmuxp/i.test(abs)) return 'tmuxp';
  if (text.split('\n').some((l) => /^[A-Za-z0-9_.-]+:\s*\S/.test(l)) && !/^\s/m.test(text.replace(/^\s*(#.*)?$/gm, ''))) return 'procfile';
  throw new UsageError(`${displayPath(process.cwd(), abs)}: cannot tell whether this is a tmuxinator or tmuxp file or a Procfile`, 'Pass --format tmuxinator, --format tmuxp or --format procfile.');
}

/** Does the project's muster.yaml list its team files (so a new one must be added there)? */
function listsTeams(dir: string): boolean {
  try {
    return /^teams\s*:/m.test(fs.readFileSync(path.join(dir, 'muster.yaml'), 'utf8'));
  } catch {
    return false;
  }
}
