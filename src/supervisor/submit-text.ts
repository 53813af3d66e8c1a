/**
 * Typing into an agent (README, "Coordination"): paste the text as one block, wait
 * so the agent does not take Enter as part of the paste, send Enter on its own, then read
 * the line under the cursor back and press Enter again while the text still sits there
 * unsubmitted. One sender per pane at a time.
 */
export interface TypingPort {
  pasteText(paneId: string, text: string): Promise<void>;
  sendKeys(paneId: string, keys: string[]): Promise<void>;
  /** the text of the line the pane's cursor is on */
  cursorLine(paneId: string): Promise<string>;
}

export interface SubmitOptions {
  sleep: (ms: number) => Promise<void>;
  /** pause between the paste and Enter (≥150 ms: quicker, some agent CLIs take the Enter as part of the paste) */
  pauseMs?: number;
  /** how long to let the agent react before reading back */
  settleMs?: number;
  /** Enter presses after the first, while the text is still pending */
  retries?: number;
  /** does the cursor line show the text unsubmitted? (default: it ends with the text's tail) */
  isPending?: (cursorLine: string) => boolean;
}

export interface SubmitResult {
  submitted: boolean;
  /** Enter presses it took */
  enters: number;
}

/** The tail of the text that a pane would show at its cursor while the text is unsubmitted. */
export function pendingMarker(text: string): string {
  const lines = text.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0);
  const last = lines[lines.length - 1] ?? '';
  return last.slice(-24).trim();
}

export function looksPending(cursorLine: string, text: string): boolean {
  const marker = pendingMarker(text);
  return marker.length > 0 && cursorLine.trimEnd().endsWith(marker);
}

const locks = new Map<string, Promise<unknown>>();

/** Runs `fn` once every earlier sender to the same pane has finished. */
export function withPaneLock<T>(paneId: string, fn: () => Promise<T>): Promise<T> {
  const before = locks.get(paneId) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const settled = run.catch(() => undefined);
  locks.set(paneId, settled);
  void settled.then(() => {
    if (locks.get(paneId) === settled) locks.delete(paneId);
  });
  return run;
}

export function submitText(port: TypingPort, paneId: string, text: string, options: SubmitOptions): Promise<SubmitResult> {
  return withPaneLock(paneId, async () => {
    const { sleep } = options;
    await port.pasteText(paneId, text);
    await sleep(options.pauseMs ?? 200);
    await port.sendKeys(paneId, ['Enter']);
    let enters = 1;
    for (let i = 0; ; i++) {
      await sleep(options.settleMs ?? 250);
      const line = await port.cursorLine(paneId);
      if (!(options.isPending ? options.isPending(line) : looksPending(line, text))) return { submitted: true, enters };
      if (i >= (options.retries ?? 3)) return { submitted: false, enters };
      await port.sendKeys(paneId, ['Enter']);
      enters++;
    }
  });
}
