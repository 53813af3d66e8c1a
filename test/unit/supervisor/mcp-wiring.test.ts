/**
 * Wiring `muster mcp` into a launch (src/supervisor/mcp-wiring.ts) with the shipped presets,
 * and the team file's `mcp` key: default from the preset's mcp section, an error where the
 * preset has none.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateProject } from '../../../src/config/load-project.js';
import type { AgentSpec } from '../../../src/config/types.js';
import { mcpLaunch, programEnd } from '../../../src/supervisor/mcp-wiring.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-mcp-wiring-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function load(team: string) {
  fs.rmSync(path.join(dir, 'teams'), { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'teams'));
  fs.writeFileSync(path.join(dir, 'teams', 't.yaml'), team);
  return validateProject(dir);
}
const agents = async (team: string): Promise<Map<string, AgentSpec>> => {
  const v = await load(team);
  expect(v.problems).toEqual([]);
  return new Map((v.project?.teams[0]?.agents ?? []).map((a) => [a.name, a]));
};
const o = { launcher: '/p q/.muster/bin/muster', stateDir: '/p q/.muster' };

describe('programEnd', () => {
  it.each([
    ['claude', 6],
    ['claude --model x', 6],
    ['cd /a && exec env -i A=1 /opt/bin/claude', 40],
    ["'claude' hi", 8],
    ['claude; echo', 6],
    ['my-wrapper.sh', null],
  ])('%s', (run, end) => expect(programEnd(run, ['claude'])).toBe(end));
});

describe('mcp per agent', () => {
  it('defaults to true where the preset has an mcp section, false elsewhere; false when set', async () => {
    const a = await agents('name: t\nagents:\n  c: { run: claude }\n  x: { run: codex }\n  q: { run: qwen }\n  o: { run: opencode }\n  g: { run: gemini }\n  s: { run: sleep 9 }\n  off: { run: claude, mcp: false }\n');
    expect(Object.fromEntries([...a].map(([k, v]) => [k, v.mcp]))).toEqual({ c: true, x: true, q: true, o: true, g: false, s: false, off: false });
  });

  it('mcp: true with a preset that has no mcp section is refused at its line', async () => {
    const v = await load('name: t\nagents:\n  g:\n    run: gemini\n    mcp: true\n');
    expect(v.problems.map((p) => `${p.line}:${p.col} ${p.message}`)).toEqual([
      '5:10 mcp: true, but preset gemini says no way to give t/g an MCP server per run: add an mcp section to the preset (docs/presets.md) or use mcp: false',
    ]);
  });

  it('claude: a per-run config file with the identity, and the flags right after the program', async () => {
    const c = (await agents('name: t\nagents:\n  c: { run: "claude \\"first words\\"" }\n')).get('c') as AgentSpec;
    const w = mcpLaunch(c, c.preset.mcp!, o)!;
    expect(w.run).toBe(`claude '--mcp-config=/p q/.muster/mcp/t.c.json' --allowedTools=mcp__muster "first words"`);
    expect(JSON.parse(w.file!.text)).toEqual({ mcpServers: { muster: { type: 'stdio', command: o.launcher, args: ['mcp'], env: { MUSTER_AGENT: 't/c', MUSTER_DIR: o.stateDir } } } });
    expect(w.file!.path).toBe('/p q/.muster/mcp/t.c.json');
  });

  it('codex: -c layers with TOML values; opencode: a config in its variable; qwen: a file', async () => {
    const a = await agents('name: t\nagents:\n  x: { run: codex }\n  o: { run: opencode }\n  q: { run: qwen }\n');
    const x = a.get('x') as AgentSpec;
    expect(mcpLaunch(x, x.preset.mcp!, o)!.run).toBe(
      `codex -c 'mcp_servers.muster.command="/p q/.muster/bin/muster"' -c 'mcp_servers.muster.args=["mcp"]' -c 'mcp_servers.muster.env={MUSTER_AGENT="t/x",MUSTER_DIR="/p q/.muster"}' -c 'mcp_servers.muster.default_tools_approval_mode="approve"'`,
    );
    const oc = a.get('o') as AgentSpec;
    const ow = mcpLaunch(oc, oc.preset.mcp!, o)!;
    expect(ow.run).toBe('opencode');
    expect(JSON.parse(ow.env.OPENCODE_CONFIG_CONTENT!)).toEqual({ mcp: { muster: { type: 'local', command: [o.launcher, 'mcp'], environment: { MUSTER_AGENT: 't/o', MUSTER_DIR: o.stateDir }, enabled: true } } });
    const q = a.get('q') as AgentSpec;
    expect(mcpLaunch(q, q.preset.mcp!, o)!.run).toBe(`qwen '--mcp-config=/p q/.muster/mcp/t.q.json'`);
  });

  it('a run that names none of the preset programs is not wired', async () => {
    const c = (await agents('name: t\nagents:\n  c: { run: ./start.sh, preset: claude }\n')).get('c') as AgentSpec;
    expect(c.mcp).toBe(true);
    expect(mcpLaunch(c, c.preset.mcp!, o)).toBeNull();
  });
});
