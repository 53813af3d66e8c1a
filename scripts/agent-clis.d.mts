/** Types of agent-clis.mjs (the pinned agent CLIs of the agents suite). */
export interface CliPin {
  /** the name tests use: claude, codex, gemini, qwen, opencode */
  name: string;
  /** npm package */
  package: string;
  /** exact version */
  version: string;
  /** executable name in node_modules/.bin */
  bin: string;
}

export interface InstalledCli extends CliPin {
  /** absolute path of the executable */
  path: string;
  /** the last line of `--version` (when checked) */
  reported?: string;
}

export const PINS_FILE: string;
export function readPins(file?: string): CliPin[];
export function cacheRoot(env?: NodeJS.ProcessEnv): string;
export function pinsHash(pins: CliPin[]): string;
export function installDir(pins?: CliPin[], env?: NodeJS.ProcessEnv): string;
export function binPath(dir: string, pin: CliPin): string;
export function isInstalled(dir: string, pins: CliPin[]): boolean;
export function checkVersions(dir: string, pins: CliPin[]): Promise<InstalledCli[]>;
export function installClis(opts?: {
  pins?: CliPin[];
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}): Promise<{ dir: string; installed: boolean; bins: InstalledCli[] }>;
