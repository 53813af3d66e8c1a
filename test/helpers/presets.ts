/** The package's presets (presets/*.yaml), loaded as the config loader loads them, for tests. */
import * as path from 'node:path';
import { nodeIo } from '../../src/config/io.js';
import { BUILTIN_PRESETS_DIR, PresetLibrary } from '../../src/config/preset-file.js';
import type { PresetSpec } from '../../src/config/preset-types.js';

const library = new PresetLibrary({ project: path.join(BUILTIN_PRESETS_DIR, 'no-project'), builtin: BUILTIN_PRESETS_DIR }, nodeIo, (abs) =>
  path.relative(path.join(BUILTIN_PRESETS_DIR, '..'), abs),
);

/** A built-in preset by name; throws on problems (a broken shipped preset fails every test that uses it). */
export async function builtinPreset(name: string): Promise<PresetSpec> {
  const r = await library.byName(name, null);
  if (!r.preset) throw new Error(r.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('\n'));
  return r.preset;
}

/** Every built-in preset, by name. */
export async function builtinPresets(): Promise<Record<string, PresetSpec>> {
  const out: Record<string, PresetSpec> = {};
  for (const name of await library.names()) out[name] = await builtinPreset(name);
  return out;
}
