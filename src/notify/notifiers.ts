/**
 * The channels a needs-you event leaves the supervisor by (docs/needs-you.md): the user's
 * notify command and the desktop. Each says which events it wants and reports how a send
 * went; none ever throws or blocks the caller.
 */
import type { NeedsYouKind, NotifySpec } from '../config/types.js';
import { desktopAvailable, notifyDesktop } from './desktop.js';
import { NotifyCommand, type NeedsYouEvent } from './notify-command.js';
import { sleep } from '../sys/time.js';

export interface Notifier {
  /** for event lines: `notify command`, `desktop` */
  readonly name: string;
  wants(kind: NeedsYouKind): boolean;
  /** null when it went well, else one line of what went wrong */
  send(event: NeedsYouEvent): Promise<string | null>;
  /** resolves once nothing is running */
  idle(): Promise<void>;
}

/** The first line of a command's output, short. */
function firstLine(output: string): string {
  const line = output.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

export function commandNotifier(spec: NotifySpec, cwd: string, env: NodeJS.ProcessEnv = process.env): Notifier | null {
  if (!spec.command) return null;
  const runner = new NotifyCommand({ command: spec.command, cwd, timeoutMs: spec.timeoutMs, env });
  const on = new Set(spec.on);
  return {
    name: 'notify command',
    wants: (kind) => on.has(kind),
    async send(event) {
      const r = await runner.send(event);
      if (r.ok) return null;
      const out = firstLine(r.output);
      if (r.error) return r.error;
      if (r.timedOut) return `timed out after ${spec.timeoutMs} ms and was killed`;
      return `exited with code ${r.code ?? 'unknown'}${out ? `: ${out}` : ''}`;
    },
    idle: () => runner.idle(),
  };
}

export function desktopNotifier(spec: NotifySpec, env: NodeJS.ProcessEnv = process.env): Notifier | null {
  if (!spec.desktop) return null;
  const bin = desktopAvailable(env);
  if (!bin) return null; // no desktop session here: nothing to show, and no error
  let running = 0;
  return {
    name: 'desktop',
    wants: () => true,
    async send(event) {
      running++;
      try {
        const title = event.agent ? `muster: ${event.agent}` : 'muster';
        return (await notifyDesktop(bin, title, event.message + (event.detail ? `\n${event.detail}` : ''), event.kind === 'failed', env)) ? null : 'notify-send failed';
      } finally {
        running--;
      }
    },
    async idle() {
      while (running > 0) await sleep(20);
    },
  };
}

/** Every channel the project's `notify:` asks for that this machine has. */
export function notifiersFor(spec: NotifySpec, cwd: string, env: NodeJS.ProcessEnv = process.env): Notifier[] {
  return [commandNotifier(spec, cwd, env), desktopNotifier(spec, env)].filter((n): n is Notifier => n !== null);
}
