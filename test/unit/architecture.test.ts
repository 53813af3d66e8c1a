/**
 * The dependency rule of the README ("Architecture"), checked on every import of src/:
 *
 * - core imports only core and config/types;
 * - an adapter (tmux, monitor, git, inbox, notify, supervisor/store, supervisor/control) imports
 *   no core, no other adapter, no runner, no UI, no CLI;
 * - the helpers (sys, text, activity, report, errors) import no adapter, runner, UI or CLI;
 * - the runner (src/supervisor/*.ts) reaches adapters through its ports: it imports their
 *   types, and the values only of their pure modules (no state, no IO);
 * - the UI imports the control contract and client, helpers and its own files: no core,
 *   no runner, no other adapter;
 * - nothing outside cli imports cli; CLI commands get their adapters from cli/compose.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

const ADAPTERS = ['tmux/', 'monitor/', 'git/', 'inbox/', 'transcripts/', 'notify/', 'supervisor/store/', 'supervisor/control/'];
const HELPERS = ['sys/', 'text/', 'activity/', 'report/', 'errors.ts'];
/** Adapter modules that are pure functions (no state, no IO): anyone above them may call them. */
const PURE = ['monitor/membership.ts', 'inbox/record.ts', 'supervisor/control/contract.ts'];

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
  line: number;
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return files(full);
    return /\.tsx?$/.test(e.name) ? [full] : [];
  });
}

/** Every import and re-export of a module, resolved to a path under src/ (packages and node: left out). */
function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8');
  const from = path.relative(SRC, file);
  const found: Import[] = [];
  const re = /^(import|export)\s+(type\s+)?([^'";]*?)\s*from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[4] ?? m[5] ?? '';
    if (!spec.startsWith('.')) continue;
    const target = path.relative(SRC, path.resolve(path.dirname(file), spec)).replace(/\.js$/, '');
    const to = [`${target}.ts`, `${target}.tsx`].find((t) => fs.existsSync(path.join(SRC, t))) ?? `${target}.ts`;
    const names = m[3] ?? '';
    const typeOnly = m[2] !== undefined || (/^\{[^}]*\}$/.test(names.trim()) && names.replace(/[{}\s]/g, '').split(',').filter(Boolean).every((n) => n.startsWith('type ')));
    found.push({ from, to, typeOnly, line: text.slice(0, m.index).split('\n').length });
  }
  return found;
}

const under = (p: string, prefixes: readonly string[]) => prefixes.some((x) => p === x || p.startsWith(x));
const adapterOf = (p: string) => ADAPTERS.find((a) => p.startsWith(a)) ?? null;
const isRunner = (p: string) => p.startsWith('supervisor/') && adapterOf(p) === null;

/** What is wrong with one import, or null. */
function breaks(i: Import): string | null {
  const { from, to } = i;
  if (to.startsWith('cli/') && !from.startsWith('cli/')) return 'nothing outside cli imports cli';
  if (from.startsWith('core/')) return to.startsWith('core/') || to === 'config/types.ts' ? null : 'core imports only core and config/types';
  const adapter = adapterOf(from);
  if (adapter) {
    if (to.startsWith('core/')) return 'an adapter imports no core';
    const other = adapterOf(to);
    if (other && other !== adapter) return `an adapter imports no other adapter (${other})`;
    if (isRunner(to) || to.startsWith('ui/')) return 'an adapter imports no runner and no UI';
    return null;
  }
  if (under(from, HELPERS)) {
    if (adapterOf(to) || isRunner(to) || to.startsWith('ui/')) return 'a helper imports no adapter, runner or UI';
    return null;
  }
  if (isRunner(from)) {
    if (to.startsWith('ui/')) return 'the runner imports no UI';
    if (adapterOf(to) && !i.typeOnly && !PURE.includes(to)) return 'the runner reaches adapters through its ports (types only, or their pure modules)';
    return null;
  }
  if (from.startsWith('ui/')) {
    if (to.startsWith('core/') || to.startsWith('config/')) return 'the UI reads the wire types of the control contract, not core or config';
    if (isRunner(to)) return 'the UI imports no runner module';
    const other = adapterOf(to);
    if (other && other !== 'supervisor/control/') return `the UI imports no adapter but the control socket (${other})`;
    return null;
  }
  if (from.startsWith('cli/commands/')) {
    if (adapterOf(to) && !i.typeOnly && !PURE.includes(to)) return 'CLI commands get their adapters from cli/compose.ts';
    return null;
  }
  return null;
}

const all = files(SRC).flatMap(importsOf);

describe('the dependency rule', () => {
  it('reads the imports of every module of src/', () => {
    expect(all.length).toBeGreaterThan(300);
    expect(all.some((i) => i.from === 'supervisor/supervisor.ts' && i.to === 'core/crew.ts')).toBe(true);
    expect(all.some((i) => i.from === 'ui/run-tui.ts' && i.to === 'ui/App.tsx')).toBe(true);
    expect(breaks({ from: 'ui/run-tui.ts', to: 'tmux/crew-server.ts', typeOnly: false, line: 1 })).toMatch(/no adapter/);
    expect(breaks({ from: 'supervisor/supervisor.ts', to: 'monitor/sampler.ts', typeOnly: false, line: 1 })).toMatch(/ports/);
    expect(breaks({ from: 'supervisor/supervisor.ts', to: 'monitor/sampler.ts', typeOnly: true, line: 1 })).toBeNull();
  });

  it('no import breaks it', () => {
    const broken = all.flatMap((i) => {
      const why = breaks(i);
      return why ? [`src/${i.from}:${i.line}: imports ${i.to}: ${why}`] : [];
    });
    expect(broken).toEqual([]);
  });
});
