#!/usr/bin/env node
/**
 * `npm run agents:refresh`: moves the pins in test/agents/clis.json to the newest versions
 * on the npm registry, installs them, captures the fixture screens again from the new
 * versions, and runs the agents suite and then `npm test` (whose table tests read the
 * fixtures), so a CLI update that breaks the harness or a preset shows up as a failing test.
 * Review `git diff test/agents/clis.json test/fixtures/screens` afterwards.
 *
 *   node scripts/refresh-agent-clis.mjs [--check] [--no-capture] [--no-test]
 *
 * --check       only print which pins are behind (exit 1 when any is)
 * --no-capture  keep the fixture screens as they are
 * --no-test     stop after installing (and capturing)
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { installClis, PINS_FILE, readPins } from './agent-clis.mjs';

const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (!['--check', '--no-capture', '--no-test'].includes(a)) {
    console.error(`agents:refresh: unknown option ${a}\nhint: --check, --no-capture or --no-test`);
    process.exit(2);
  }
}

function latest(pkg) {
  return new Promise((resolve, reject) => {
    execFile('npm', ['view', `${pkg}@latest`, 'version'], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`npm view ${pkg}: ${String(stderr).trim() || err.message}`));
      else resolve(String(stdout).trim().split('\n').pop().trim());
    });
  });
}

function run(cmd, cmdArgs, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const pins = readPins();
const newest = [];
for (const pin of pins) newest.push({ ...pin, version: await latest(pin.package) });
const behind = newest.filter((n, i) => n.version !== pins[i].version);
for (const [i, n] of newest.entries()) {
  const mark = n.version === pins[i].version ? 'up to date' : `${pins[i].version} → ${n.version}`;
  console.log(`${n.name.padEnd(9)} ${n.package}  ${mark}`);
}
if (args.has('--check')) process.exit(behind.length > 0 ? 1 : 0);

if (behind.length > 0) {
  const data = JSON.parse(readFileSync(PINS_FILE, 'utf8'));
  data.clis = data.clis.map((c) => ({ ...c, version: newest.find((n) => n.name === c.name).version }));
  writeFileSync(PINS_FILE, `${JSON.stringify(data, null, 2)}\n`);
  console.log(`updated ${PINS_FILE}`);
}

const result = await installClis({ log: (line) => console.log(line) });
console.log(result.installed ? `installed into ${result.dir}` : `already installed: ${result.dir}`);
if (!args.has('--no-capture')) {
  const code = await run('npm', ['run', 'agents:capture']);
  if (code !== 0) process.exit(code);
}
if (args.has('--no-test')) process.exit(0);
const agents = await run('npm', ['run', 'test:agents']);
const unit = await run('npm', ['test']);
process.exit(agents !== 0 ? agents : unit);
