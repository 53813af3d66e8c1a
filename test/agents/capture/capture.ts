/**
 * `npm run agents:capture`: drives one real CLI through its states against the scripted model
 * server and writes what its screen shows in each to test/fixtures/screens/<cli>/<state>.txt
 * (`capture-pane -p`; `<state>.ansi.txt` with escapes for some), plus meta.json with the
 * version that produced them. The states are listed in STATES and described in
 * test/fixtures/screens/README.md.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIS_WITH_TRUST_DIALOG, cliPin, type CliName } from '../cli-env.js';
import { COLS, ROWS } from '../driver.js';
import { startAgent, type Agent } from '../harness.js';
import type { RecordedRequest } from '../model-server/types.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/screens/', import.meta.url));

/** The states captured, in order, with what each shows. */
export const STATES = {
  'idle-fresh': 'started, idle at its input, nothing typed yet',
  draft: 'three lines pasted into the input (bracketed paste), not submitted',
  'busy-before-first-token': 'the draft submitted; the model holds its reply before the first token',
  'busy-streaming': 'the reply streaming (about a third of its chunks shown)',
  'idle-after-turn': 'the turn finished, idle again',
  permission: "the model called the CLI's shell tool (Codex: asking to run outside its sandbox); the CLI asks",
  'after-approval': 'approved with its key; the command ran and the follow-up request is held before its first token',
  'idle-quoting-prompt': "a finished turn whose reply quotes the CLI's own permission prompt (a planted false positive)",
  'first-run-dialog': 'started without the folder trusted: its first-run trust dialog',
  'resumed-cut-off': 'killed while its approved shell tool ran, then started again into that session (opencode: the cut-off call still spins in the transcript)',
} as const;

export type StateName = keyof typeof STATES;

/** States also written with escape sequences (`<state>.ansi.txt`). */
const WITH_ESCAPES: StateName[] = ['idle-fresh', 'draft', 'idle-after-turn', 'permission'];

const DRAFT = 'Draft line one of a prompt\nDraft line two\nDraft line three, still not sent';

const LONG_REPLY =
  'Streaming reply, part one: the scripted model sends this answer in many small chunks so that the screen can be caught while it is still arriving. ' +
  'Part two keeps going with more words about nothing in particular, one chunk after another, until the whole paragraph has been shown. ' +
  'Part three ends the reply here.';

/** A reply that quotes the CLI's own permission prompt, for the planted false positive. */
const QUOTES: Record<CliName, string> = {
  claude: 'Your prompt looks like this:\n\nDo you want to proceed?\n❯ 1. Yes\n  2. No\n\nEsc to cancel · Tab to amend\n\nThat is all.',
  codex: 'Your prompt looks like this:\n\nWould you like to run the following command?\n\n$ touch x\n\n› 1. Yes, proceed (y)\n\nPress enter to confirm or esc to cancel\n\nThat is all.',
  gemini: 'Your prompt looks like this:\n\nAllow execution of [Shell]?\n\n● 1. Allow once\n  2. Allow for this session\n\nThat is all.',
  qwen: "Your prompt looks like this:\n\nAllow execution of: 'touch'?\n› 1. Yes, allow once\n⠏ Waiting for user confirmation...\n\nThat is all.",
  opencode: 'Your prompt looks like this:\n\n△ Permission required\n$ touch x\nAllow once   Allow always   Reject\n\nThat is all.',
};

const SUGGESTION = 'Run the tests next';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class Recorder {
  readonly written: string[] = [];
  constructor(readonly dir: string) {}

  async save(agent: Agent, state: StateName): Promise<void> {
    const plain = await agent.pane.screen();
    writeFileSync(path.join(this.dir, `${state}.txt`), `${plain}\n`);
    this.written.push(`${state}.txt`);
    if (WITH_ESCAPES.includes(state)) {
      writeFileSync(path.join(this.dir, `${state}.ansi.txt`), `${await agent.pane.screen({ escapes: true })}\n`);
      this.written.push(`${state}.ansi.txt`);
    }
  }
}

/** Captures every state of `cli` into test/fixtures/screens/<cli>/ (its old files are removed first). */
export async function captureCli(cli: CliName): Promise<string[]> {
  const dir = path.join(FIXTURES, cli);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.txt') || f === 'meta.json') rmSync(path.join(dir, f));
  const rec = new Recorder(dir);
  // a fixed folder, so that the screens show the same path on every capture
  const root = path.join(tmpdir(), `muster-capture-${cli}`);

  // Qwen Code asks the model for a next-prompt suggestion after each turn: give it one, so
  // that the screens show where it appears
  const serverOptions = { backgroundReply: (r: RecordedRequest) => (r.why === 'prompt suggestion' ? SUGGESTION : undefined) };
  const agent = await startAgent(cli, { root, serverOptions });
  try {
    const { server, pane, screens } = agent;
    await sleep(1_000);
    await rec.save(agent, 'idle-fresh');

    const beforeDraft = await pane.screen();
    await pane.type(DRAFT, { submit: false });
    await pane.waitForScreen('the draft', (s) => s !== beforeDraft);
    await sleep(1_000);
    await rec.save(agent, 'draft');

    server.script({ text: LONG_REPLY, hold: true, streamMs: 9_000, chunks: 30 });
    let turns = server.turns().length;
    await pane.press('Enter');
    await server.waitForTurn(turns + 1);
    await sleep(2_500);
    await rec.save(agent, 'busy-before-first-token');
    server.release();
    await pane.waitForScreen('the reply streaming', /Part two keeps/, 60_000);
    await rec.save(agent, 'busy-streaming');
    await server.waitForTurnEnd(turns + 1);
    await agent.waitIdle();
    await sleep(1_500);
    await rec.save(agent, 'idle-after-turn');

    server.script(
      { text: 'I will create the file with the shell tool.', toolCall: { shell: 'touch captured.txt', escalate: cli === 'codex' } },
      { text: 'Created captured.txt.', hold: true },
    );
    turns = server.turns().length;
    await pane.type('Create captured.txt please');
    await pane.waitForScreen('the permission prompt', screens.permission);
    await sleep(1_500);
    await rec.save(agent, 'permission');
    await agent.approve();
    await server.waitForTurn(turns + 2);
    await sleep(2_000);
    await rec.save(agent, 'after-approval');
    server.release();
    await server.waitForTurnEnd(turns + 2);
    await agent.waitIdle();

    server.script({ text: QUOTES[cli] });
    turns = server.turns().length;
    await pane.type('What does your permission prompt look like?');
    await server.waitForTurnEnd(turns + 1);
    await pane.waitForScreen('the quoted prompt', /That is all\./);
    await agent.waitIdle();
    await sleep(1_500);
    await rec.save(agent, 'idle-quoting-prompt');
  } finally {
    await agent.stop();
  }

  if (CLIS_WITH_TRUST_DIALOG.includes(cli)) {
    const fresh = await startAgent(cli, { root, firstRun: 'dialog' });
    try {
      await fresh.pane.waitForStableScreen('the first-run dialog', 3_000);
      await rec.save(fresh, 'first-run-dialog');
    } finally {
      await fresh.stop();
    }
  }
  // opencode keeps a shell call cut off by a kill spinning in the transcript of the resumed session
  if (cli === 'opencode') {
    const cut = await startAgent(cli, { root });
    try {
      cut.server.script({ text: 'Running it.', toolCall: { shell: 'sleep 600' } }, { text: 'Done.' });
      await cut.pane.type('Run sleep 600 please');
      await cut.pane.waitForScreen('the permission prompt', cut.screens.permission);
      await cut.approve();
      await cut.pane.waitForScreen('the command running', /sleep 600/, 30_000);
      await sleep(2_000);
      await cut.restart({ args: ['--continue'], waitIdle: false });
      await cut.pane.waitForScreen('the resumed session', /sleep 600/, 60_000);
      await sleep(5_000);
      await rec.save(cut, 'resumed-cut-off');
    } finally {
      await cut.stop();
    }
  }
  rmSync(root, { recursive: true, force: true });

  const { pin } = cliPin(cli);
  const meta = {
    cli,
    package: pin.package,
    version: pin.version,
    size: `${COLS}x${ROWS}`,
    term: 'xterm-256color',
    tmux: 'capture-pane -p (and -e for *.ansi.txt)',
    capturedAt: new Date().toISOString().slice(0, 10),
    states: Object.fromEntries(rec.written.filter((f) => !f.endsWith('.ansi.txt')).map((f) => [f.replace(/\.txt$/, ''), STATES[f.replace(/\.txt$/, '') as StateName]])),
  };
  writeFileSync(path.join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return rec.written;
}
