/**
 * The pinned agent CLIs of muster's agents suite (test/agents/clis.json): where they are
 * installed and how. They are installed from the npm registry into a cache folder outside
 * muster's dependencies, one folder per set of pins:
 *
 *   $MUSTER_AGENT_CLIS_CACHE                 (when set), else
 *   $XDG_CACHE_HOME/muster-test-agents       (when set), else
 *   ~/.cache/muster-test-agents
 *     └─ <hash of the pins, platform and arch>/node_modules/.bin/<bin>
 *
 * A folder is complete when its `installed.json` lists exactly the pins; it is built in a
 * temporary folder beside it and renamed into place, so an interrupted install leaves
 * nothing half-done. Types: agent-clis.d.mts.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PINS_FILE = fileURLToPath(new URL('../test/agents/clis.json', import.meta.url));

/** The pins: `[{ name, package, version, bin }]`. */
export function readPins(file = PINS_FILE) {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const clis = data.clis;
  if (!Array.isArray(clis) || clis.length === 0) throw new Error(`${file}: "clis" must list the pinned agent CLIs`);
  for (const [i, c] of clis.entries()) {
    for (const key of ['name', 'package', 'version', 'bin']) {
      if (typeof c[key] !== 'string' || c[key] === '') throw new Error(`${file}: clis[${i}].${key} must be a non-empty string`);
    }
    if (!/^\d+\.\d+\.\d+/.test(c.version)) throw new Error(`${file}: clis[${i}].version must be an exact version, not ${JSON.stringify(c.version)}`);
  }
  return clis;
}

/** The cache folder that holds one folder per set of pins. */
export function cacheRoot(env = process.env) {
  if (env.MUSTER_AGENT_CLIS_CACHE) return env.MUSTER_AGENT_CLIS_CACHE;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'muster-test-agents');
}

/** A short hash of what an install depends on: the packages and versions, the platform and arch. */
export function pinsHash(pins) {
  const key = pins
    .map((p) => `${p.package}@${p.version}`)
    .sort()
    .join('\n');
  return createHash('sha256').update(`${key}\n${process.platform}-${process.arch}`).digest('hex').slice(0, 16);
}

/** The folder the pins are (or will be) installed in. */
export function installDir(pins = readPins(), env = process.env) {
  return join(cacheRoot(env), pinsHash(pins));
}

/** The path of one CLI's executable in an install folder. */
export function binPath(dir, pin) {
  return join(dir, 'node_modules', '.bin', pin.bin);
}

/** Is `dir` a complete install of `pins`? */
export function isInstalled(dir, pins) {
  try {
    const done = JSON.parse(readFileSync(join(dir, 'installed.json'), 'utf8'));
    const want = pins.map((p) => `${p.package}@${p.version}`).sort();
    const have = (done.clis ?? []).map((p) => `${p.package}@${p.version}`).sort();
    return JSON.stringify(want) === JSON.stringify(have) && pins.every((p) => existsSync(binPath(dir, p)));
  } catch {
    return false;
  }
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 60_000, ...opts }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** `<bin> --version` of each CLI in `dir`; throws when one does not run or reports another version. */
export async function checkVersions(dir, pins) {
  const out = [];
  for (const pin of pins) {
    const bin = binPath(dir, pin);
    const env = { PATH: `${join(process.execPath, '..')}:/usr/local/bin:/usr/bin:/bin`, HOME: join(dir, 'version-home'), LANG: 'C.UTF-8' };
    mkdirSync(env.HOME, { recursive: true });
    const r = await run(bin, ['--version'], { env, timeoutMs: 120_000 });
    const text = `${r.stdout}\n${r.stderr}`;
    if (r.code !== 0 || !text.includes(pin.version)) {
      throw new Error(`${pin.bin} --version (${bin}) exited ${r.code} without naming ${pin.version}: ${text.trim().slice(-300)}`);
    }
    out.push({ ...pin, path: bin, reported: (r.stdout.trim() || r.stderr.trim()).split('\n').pop() });
  }
  rmSync(join(dir, 'version-home'), { recursive: true, force: true });
  return out;
}

/**
 * Installs the pins unless `dir` already holds them. Returns `{ dir, installed, bins }`
 * where `installed` says whether anything was installed now.
 */
export async function installClis({ pins = readPins(), env = process.env, log = () => {} } = {}) {
  const dir = installDir(pins, env);
  if (isInstalled(dir, pins)) return { dir, installed: false, bins: pins.map((p) => ({ ...p, path: binPath(dir, p) })) };
  mkdirSync(cacheRoot(env), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const dependencies = Object.fromEntries(pins.map((p) => [p.package, p.version]));
  writeFileSync(join(tmp, 'package.json'), `${JSON.stringify({ name: 'muster-test-agents', private: true, dependencies }, null, 2)}\n`);
  log(`installing ${pins.map((p) => `${p.package}@${p.version}`).join(', ')} into ${dir} …`);
  const t0 = Date.now();
  const npm = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tmp, env: { ...env, npm_config_update_notifier: 'false' }, timeoutMs: 30 * 60_000 });
  if (npm.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`npm install of the agent CLIs failed (exit ${npm.code}): ${(npm.stderr || npm.stdout).trim().split('\n').slice(-8).join('\n')}`);
  }
  const bins = await checkVersions(tmp, pins).catch((err) => {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  });
  writeFileSync(join(tmp, 'installed.json'), `${JSON.stringify({ clis: pins, installedAt: new Date().toISOString(), seconds: Math.round((Date.now() - t0) / 1000) }, null, 2)}\n`);
  // another install of the same pins may have finished meanwhile: keep the first complete one
  if (isInstalled(dir, pins)) rmSync(tmp, { recursive: true, force: true });
  else {
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  log(`installed in ${Math.round((Date.now() - t0) / 1000)} s`);
  return { dir, installed: true, bins: bins.map((b) => ({ ...b, path: binPath(dir, b) })) };
}
