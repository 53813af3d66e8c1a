/**
 * Shell completion: the bash script loaded into a real bash, its completion function run
 * on command lines as a user types them, and the candidates read back: commands, flags,
 * the project's agent names from the team files and from the ledger, `-C DIR` honoured.
 * The fish script likewise in a real fish; the zsh script is parsed by zsh. An unknown
 * shell is bad usage with the list.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COMMANDS } from '../../src/cli/args.js';
import { completionScript } from '../../src/cli/completion-scripts.js';
import { MAIN, makeProject, type TestProject } from '../helpers/project.js';

// Each test runs the real binary several times in a row: on a loaded machine a run takes seconds.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let p: TestProject;
let bin: string;

beforeAll(() => {
  p = makeProject('completion');
  p.write(
    'teams/web.yaml',
    `name: web
agents:
  pm: { run: exec sleep 1 }
  dev: { run: exec sleep 1 }
  translate:
    for_each: [intro, faq]
    run: echo {item}
`,
  );
  p.write('teams/ops.yaml', 'agents:\n  dev: { run: exec sleep 1 }\n  deploy: { run: exec sleep 1 }\n');
  // `muster` on PATH, as an installed muster is: the script calls it for agent names
  bin = `${p.dir}-bin`;
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'muster'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} "$@"\n`, { mode: 0o755 });
});

afterAll(async () => {
  fs.rmSync(bin, { recursive: true, force: true });
  await p.destroy();
});

/** Runs bash's completion for `line` (the cursor at its end) in `cwd`; the candidates, sorted. */
function candidates(line: string, cwd = p.dir): Promise<string[]> {
  const words = line.split(' ');
  const script = [
    'source <(muster completion bash) || exit 9',
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    `COMP_LINE='${line}'`,
    `COMP_POINT=${line.length}`,
    '_muster',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile('bash', ['--norc', '--noprofile', '-c', script], { cwd, env: { PATH: `${bin}:/usr/bin:/bin`, HOME: p.dir }, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`bash failed: ${stderr}`));
      else resolve(stdout.split('\n').filter((l) => l !== '').sort());
    });
  });
}

describe('bash completion', () => {
  it('completes command names', async () => {
    expect(await candidates('muster st')).toEqual(['status', 'stop']);
    expect(await candidates('muster i')).toEqual(['import', 'init']);
    expect(await candidates('muster ')).toEqual(expect.arrayContaining(['up', 'status', 'down', 'init', 'import', 'completion', 'schema', '--version']));
  });

  it("completes a command's flags", async () => {
    expect(await candidates('muster stop --')).toEqual(['--all', '--help']);
    expect(await candidates('muster logs -')).toEqual(['--follow', '--help', '--lines', '--raw', '-C', '-f', '-n']);
    expect(await candidates('muster init --f')).toEqual(['--force']);
  });

  it('completes agent names from the team files: ids, unique names, for_each bases and expansions', async () => {
    expect(await candidates('muster stop ')).toEqual([
      'deploy',
      'ops/deploy',
      'ops/dev',
      'pm',
      'translate',
      'translate-faq',
      'translate-intro',
      'web/dev',
      'web/pm',
      'web/translate-faq',
      'web/translate-intro',
    ]);
    expect(await candidates('muster restart web/')).toEqual(['web/dev', 'web/pm', 'web/translate-faq', 'web/translate-intro']);
    expect(await candidates('muster logs tr')).toEqual(['translate', 'translate-faq', 'translate-intro']);
  });

  it('offers agents only where the command takes one', async () => {
    expect(await candidates('muster send pm ')).toEqual([]);
    expect(await candidates('muster attach p')).toEqual(['pm']);
    expect(await candidates('muster status ')).toEqual([]);
  });

  it('completes the words a command takes', async () => {
    expect(await candidates('muster completion ')).toEqual(['bash', 'fish', 'zsh']);
    expect(await candidates('muster schema l')).toEqual(['layout']);
  });

  it('reads the agents of -C DIR from anywhere', async () => {
    expect(await candidates(`muster -C ${p.dir} pause web/p`, '/')).toEqual(['web/pm']);
  });

  it('prefers the ledger: the agents the supervisor last saved', async () => {
    p.write('.muster/state.json', JSON.stringify({ version: 1, crew: { agents: { 'web/server': {}, 'ops/deploy': {} } } }));
    try {
      expect(await candidates('muster stop ')).toEqual(['deploy', 'ops/deploy', 'server', 'web/server']);
    } finally {
      fs.rmSync(path.join(p.dir, '.muster'), { recursive: true, force: true });
    }
  });
});

describe('muster completion', () => {
  it('an unknown shell: exit 2 with the list', async () => {
    const r = await p.muster(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('muster: completion: unknown shell "tcsh"\nhint: Use one of: bash, zsh, fish, e.g. source <(muster completion bash).\n');
    const none = await p.muster(['completion']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/bash, zsh, fish/);
  });

  it('fish: the script loads into a real fish and completes commands and agent names', async () => {
    const script = (await p.muster(['completion', 'fish'])).stdout;
    const file = p.write('muster.fish', script);
    const run = (line: string) =>
      new Promise<string[]>((resolve, reject) => {
        execFile('fish', ['--no-config', '-c', `source ${file}; complete -C '${line}'`], { cwd: p.dir, env: { PATH: `${bin}:/usr/bin:/bin`, HOME: p.dir }, timeout: 30_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`fish failed: ${stderr}`)) : resolve(stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0]!).sort()),
        );
      });
    expect(await run('muster st')).toEqual(['status', 'stop']);
    expect(await run('muster restart web/')).toEqual(['web/dev', 'web/pm', 'web/translate-faq', 'web/translate-intro']);
    expect(await run('muster logs --')).toEqual(expect.arrayContaining(['--follow', '--lines']));
  });

  it('zsh: the script parses (zsh -n)', async () => {
    const file = p.write('muster.zsh', (await p.muster(['completion', 'zsh'])).stdout);
    const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile('zsh', ['-n', file], { timeout: 30_000 }, (err, _o, stderr) => resolve({ code: err ? 1 : 0, stderr })),
    );
    expect(r, r.stderr).toEqual({ code: 0, stderr: '' });
  });

  it('zsh and fish scripts name every command and ask muster for agent names', () => {
    for (const shell of ['zsh', 'fish'] as const) {
      const script = completionScript(shell, COMMANDS);
      for (const c of COMMANDS) expect(script, `${shell}: ${c.name}`).toContain(shell === 'zsh' ? `'${c.name}:` : `-a ${c.name} `);
      expect(script).toContain('completion --agents');
    }
    expect(completionScript('zsh', COMMANDS)).toMatch(/^#compdef muster\n/);
  });
});
