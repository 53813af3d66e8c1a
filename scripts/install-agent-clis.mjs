#!/usr/bin/env node
/**
 * `npm run agents:install`: installs the agent CLIs pinned in test/agents/clis.json from
 * the npm registry into a cache folder outside muster's dependencies (see agent-clis.mjs),
 * unless that folder already holds them, and prints where each executable is.
 *
 *   node scripts/install-agent-clis.mjs [--check]
 *
 * --check only reports whether the pins are installed (exit 1 when not).
 * Env: MUSTER_AGENT_CLIS_CACHE overrides the cache folder.
 */
import { binPath, installClis, installDir, isInstalled, readPins } from './agent-clis.mjs';

const args = process.argv.slice(2);
const pins = readPins();
const dir = installDir(pins);

if (args.includes('--check')) {
  const ok = isInstalled(dir, pins);
  console.log(ok ? `installed: ${dir}` : `not installed: ${dir}`);
  process.exit(ok ? 0 : 1);
}

try {
  const result = await installClis({ pins, log: (line) => console.log(line) });
  if (!result.installed) console.log(`already installed: ${result.dir}`);
  for (const pin of pins) console.log(`${pin.name.padEnd(9)} ${pin.package}@${pin.version}  ${binPath(result.dir, pin)}`);
} catch (err) {
  console.error(`agents:install: ${err instanceof Error ? err.message : String(err)}`);
  console.error('hint: the agent CLIs come from the npm registry; check the network and `npm config get registry`, or set MUSTER_AGENT_CLIS_CACHE to a writable folder');
  process.exit(1);
}
