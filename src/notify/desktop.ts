/**
 * A desktop notification through libnotify's `notify-send`, when there is a desktop
 * session to show it (a display or a session bus) and the command exists; otherwise
 * nothing, and no error (docs/needs-you.md).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Is there a desktop session and a `notify-send` on PATH? */
export function desktopAvailable(env: NodeJS.ProcessEnv = process.env): string | null {
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY && !env.DBUS_SESSION_BUS_ADDRESS) return null;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, 'notify-send');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** Shows a notification; resolves false (never throws) when it could not. */
export function notifyDesktop(bin: string, title: string, body: string, urgent: boolean, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(bin, ['--app-name=muster', `--urgency=${urgent ? 'critical' : 'normal'}`, '--', title, body], { env, timeout: 5000 }, (err) =>
      resolve(err === null),
    );
  });
}
