/** Waiting for a condition in tests: a generous deadline, never a speed assertion. */

let onTimeout: (() => void) | null = null;

/** Called when a wait times out, before it throws (the failure report sets it: hooks have no afterEach). */
export function reportTimeoutsWith(fn: (() => void) | null): void {
  onTimeout = fn;
}

/**
 * Polls `probe` until it returns a truthy value (an error thrown by it counts as "not yet"
 * and is reported if the deadline passes); fails with `what` after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      onTimeout?.();
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
