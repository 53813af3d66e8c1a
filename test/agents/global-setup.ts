/**
 * Global setup of the agents suite: installs the pinned agent CLIs into their cache unless
 * they are there already (scripts/agent-clis.mjs), before any test file starts.
 */
import { installClis } from '../../scripts/agent-clis.mjs';

export default async function setup(): Promise<void> {
  const result = await installClis({ log: (line) => console.log(`[agents] ${line}`) });
  for (const bin of result.bins) console.log(`[agents] ${bin.name.padEnd(9)} ${bin.package}@${bin.version}  ${bin.path}`);
}
