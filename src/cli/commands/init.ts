/**
 * `muster init` (docs/commands.md#muster-init): writes `muster.yaml` and a team file for
 * a new project, from flags or from a short form on a terminal. Never overwrites without
 * `--force`; what it writes is validated before it is written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NAME_HINT, NAME_RE } from '../../config/schema.js';
import { parseMemory } from '../../config/units.js';
import { ConfigError, MusterError, UsageError } from '../../errors.js';
import type { FormAnswers } from '../../init/InitForm.js';
import {
  agentNames,
  initFiles,
  KNOWN_CLIS,
  parseAgentsFlag,
  SHAPES,
  suggestedMemory,
  teamNameFrom,
  type InitChoices,
  type KnownCli,
  type Shape,
} from '../../init/plan.js';
import { cliWorktreeGit } from '../compose.js';
import { writeLine, type CliContext } from '../context.js';
import { plannedProblems, refuseClashes, schemaRef, writeProjectFiles } from '../project-files.js';
import { onPath } from '../requires.js';
import type { Flags } from './dispatch.js';

export async function runInit(ctx: CliContext, flags: Flags): Promise<number> {
  const existing = existingProjectFiles(ctx.dir);
  if (existing.length > 0 && !flags.force) {
    throw new UsageError(
      `this folder already has a muster project (${existing.join(', ')}); nothing was written`,
      'Edit those files (see `muster validate`), or run `muster init --force` to replace muster.yaml and the team file.',
    );
  }
  const detected = KNOWN_CLIS.filter((cli) => onPath(cli, ctx.env));
  const interactive = flags.agents === undefined && !flags.yes && process.stdin.isTTY === true && process.stdout.isTTY === true;
  // git is asked only where worktrees may be chosen
  const repo = interactive || flags.worktrees === true ? await repoState(ctx.dir) : 'none';
  if (!interactive && flags.worktrees === true && repo !== 'ready') {
    throw new UsageError(
      `--worktrees needs a git repository with a commit, and ${repo === 'none' ? 'this folder is in no git repository' : 'this repository has no commit yet'}; nothing was written`,
      `Run \`${repo === 'none' ? 'git init && ' : ''}git commit --allow-empty -m start\` first, or leave out --worktrees.`,
    );
  }
  const answers = interactive ? await askInForm(ctx, detected, repo) : answersFromFlags(ctx, flags, detected);
  if (answers === null) {
    writeLine(ctx.stderr, 'muster: init cancelled; nothing was written');
    return 1;
  }
  const choices: InitChoices = { ...answers, schema: schemaRefs(ctx.dir) };
  const files = initFiles(choices);
  refuseClashes(ctx.dir, files, flags.force === true);
  const problems = await plannedProblems(ctx.dir, files, undefined, { repoProbe: cliWorktreeGit });
  if (problems.length > 0) {
    throw new MusterError(`init would write files that do not validate (nothing was written): ${new ConfigError(problems).message}`, {
      hint: 'This is a bug in muster init; please report it with the command you ran.',
    });
  }
  writeProjectFiles(ctx.dir, files);

  const names = agentNames(choices).map((a) => a.name);
  if (choices.server !== null) names.push('server');
  writeLine(ctx.stdout, `muster: wrote ${files.map((f) => f.path).join(' and ')}: team ${choices.name}, ${names.length} agent(s): ${names.join(', ')}`);
  const missing = [...new Set(answers.agents.map((a) => a.kind))].filter((k): k is KnownCli => k !== 'shell' && !detected.includes(k as KnownCli));
  if (missing.length > 0) writeLine(ctx.stdout, `note: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on PATH yet: install before \`muster up\` (muster.yaml requires ${missing.length === 1 ? 'it' : 'them'})`);
  const dirFlag = path.resolve(ctx.dir) === process.cwd() ? '' : ` -C ${ctx.dir}`;
  writeLine(ctx.stdout, `next: muster${dirFlag} up        (muster${dirFlag} validate checks the files; edit them freely)`);
  return 0;
}

/** The project files already there: muster.yaml and teams/*.yaml. */
function existingProjectFiles(dir: string): string[] {
  const found: string[] = [];
  if (fs.existsSync(path.join(dir, 'muster.yaml'))) found.push('muster.yaml');
  const teams = path.join(dir, 'teams');
  if (fs.existsSync(teams) && fs.statSync(teams).isDirectory()) {
    for (const f of fs.readdirSync(teams).sort()) if (f.endsWith('.yaml')) found.push(`teams/${f}`);
  }
  return found;
}

function answersFromFlags(ctx: CliContext, flags: Flags, detected: readonly KnownCli[]): FormAnswers {
  const agents =
    typeof flags.agents === 'string'
      ? parseAgentsFlag(flags.agents)
      : detected.length > 0
        ? detected.map((kind) => ({ kind, count: 1 }))
        : [{ kind: 'shell' as const, count: 1 }];
  const shape = (flags.shape ?? 'crew') as Shape;
  if (!(SHAPES as readonly string[]).includes(shape)) throw new UsageError(`--shape: unknown shape "${String(flags.shape)}"`, `Use ${SHAPES.join(' or ')}.`);
  if (shape === 'pm-dev' && agents.reduce((n, a) => n + a.count, 0) < 2) {
    throw new UsageError('--shape pm-dev needs at least two agents (a PM and a dev)', 'Example: --agents claude:3 --shape pm-dev');
  }
  const name = typeof flags.name === 'string' ? flags.name : teamNameFrom(path.basename(ctx.dir));
  if (!NAME_RE.test(name)) throw new UsageError(`--name: bad team name "${name}"`, `${NAME_HINT[0]?.toUpperCase()}${NAME_HINT.slice(1)}.`);
  let memoryBytes: number | null = suggestedMemory(os.totalmem());
  if (typeof flags.memory === 'string') {
    const parsed = flags.memory === 'none' ? ({ ok: true, value: null } as const) : parseMemory(flags.memory);
    if (!parsed.ok) throw new UsageError(`--memory: ${parsed.error}`, 'Example: --memory 2GiB, or --memory none.');
    memoryBytes = parsed.value;
  }
  const server = typeof flags.server === 'string' && flags.server.trim() !== '' ? flags.server.trim() : null;
  return { shape, agents, server, worktrees: flags.worktrees === true, memoryBytes, name };
}

/** Can agents of this folder get worktrees: a git repository with a commit? */
async function repoState(dir: string): Promise<'ready' | 'no-commit' | 'none'> {
  const top = await cliWorktreeGit.toplevel(dir).catch(() => null);
  if (top === null) return 'none';
  return (await cliWorktreeGit.commitOf(top, 'HEAD').catch(() => null)) === null ? 'no-commit' : 'ready';
}

async function askInForm(ctx: CliContext, detected: readonly KnownCli[], repo: 'ready' | 'no-commit' | 'none'): Promise<FormAnswers | null> {
  process.env.NODE_ENV ??= 'production';
  // Ink draws only a last frame when it believes it runs in CI; a person sits here.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const [{ render }, { createElement }, { InitForm }] = await Promise.all([import('ink'), import('react'), import('../../init/InitForm.js')]);
  let answers: FormAnswers | null = null;
  const instance = render(
    createElement(InitForm, {
      detected,
      suggestedName: teamNameFrom(path.basename(ctx.dir)),
      suggestedMemory: suggestedMemory(os.totalmem()),
      totalMemory: os.totalmem(),
      // worktrees are offered only where they can be made (docs/worktrees.md)
      noWorktrees: repo === 'ready' ? null : repo === 'none' ? 'no git repository here' : 'the repository has no commit yet',
      onDone: (a: FormAnswers | null) => (answers = a),
    }),
    { exitOnCtrlC: false },
  );
  await instance.waitUntilExit();
  return answers;
}

/** `$schema` targets of the two files. */
function schemaRefs(dir: string): InitChoices['schema'] {
  return { team: schemaRef(dir, path.join(dir, 'teams'), 'team'), project: schemaRef(dir, dir, 'project') };
}
