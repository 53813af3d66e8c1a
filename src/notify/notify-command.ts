/**
 * The user's notify command (`notify: { command: … }` in muster.yaml; docs/needs-you.md):
 * one run per needs-you event, the event as JSON on stdin and in `MUSTER_EVENT_*`
 * variables — never spliced into the command line, so the event's text cannot inject
 * shell. Each run has a timeout (its whole process group is killed), its output is capped,
 * a few run at once and the rest queue (a burst of 50 events runs 50 commands, a few at a
 * time); a failure is a result for the caller to report, never an exception.
 */
import { spawn } from 'node:child_process';
import type { NeedsYouKind } from '../config/types.js';
import { sleep } from '../sys/time.js';

/** What a needs-you event carries (docs/needs-you.md). */
export interface NeedsYouEvent {
  kind: NeedsYouKind;
  /** `team/agent`, or null for the whole crew (`done`) */
  agent: string | null;
  /** `permission`, `dialog`, `circuit`, `memory`, `tokens`, … */
  reason: string;
  /** one line for a person */
  message: string;
  /** the screen line or figure that caused it */
  detail: string | null;
  /** ISO 8601 */
  time: string;
  project: string;
}

export interface NotifyResult {
  event: NeedsYouEvent;
  ok: boolean;
  code: number | null;
  timedOut: boolean;
  /** stdout and stderr, at most `maxOutput` bytes */
  output: string;
  /** set when it could not even start */
  error: string | null;
}

export interface NotifyCommandOptions {
  command: string;
  cwd: string;
  timeoutMs: number;
  /** runs at once; more wait their turn */
  concurrency?: number;
  /** bytes of output kept per run */
  maxOutput?: number;
  /** events waiting beyond this are dropped (oldest first) and counted */
  maxQueued?: number;
  env?: NodeJS.ProcessEnv;
}

/** The environment a run gets: the supervisor's, plus the event. */
export function eventEnv(event: NeedsYouEvent, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    MUSTER_EVENT_KIND: event.kind,
    MUSTER_EVENT_AGENT: event.agent ?? '',
    MUSTER_EVENT_REASON: event.reason,
    MUSTER_EVENT_MESSAGE: event.message,
    MUSTER_EVENT_DETAIL: event.detail ?? '',
    MUSTER_EVENT_TIME: event.time,
    MUSTER_EVENT_PROJECT: event.project,
  };
}

export class NotifyCommand {
  private running = 0;
  private readonly queue: { event: NeedsYouEvent; done: (r: NotifyResult) => void }[] = [];
  /** events dropped because the queue was full */
  dropped = 0;

  constructor(private readonly opts: NotifyCommandOptions) {}

  /** Runs the command for `event` (now, or when a place is free); resolves with how it went. */
  send(event: NeedsYouEvent): Promise<NotifyResult> {
    return new Promise((done) => {
      this.queue.push({ event, done });
      const max = this.opts.maxQueued ?? 200;
      while (this.queue.length > max) {
        const old = this.queue.shift();
        this.dropped++;
        old?.done({ event: old.event, ok: false, code: null, timedOut: false, output: '', error: 'dropped: too many notifications waiting' });
      }
      this.pump();
    });
  }

  /** Resolves once nothing runs or waits. */
  async idle(): Promise<void> {
    while (this.running > 0 || this.queue.length > 0) await sleep(20);
  }

  private pump(): void {
    while (this.running < (this.opts.concurrency ?? 4) && this.queue.length > 0) {
      const next = this.queue.shift() as (typeof this.queue)[number];
      this.running++;
      void this.run(next.event).then((r) => {
        this.running--;
        next.done(r);
        this.pump();
      });
    }
  }

  private run(event: NeedsYouEvent): Promise<NotifyResult> {
    const maxOutput = this.opts.maxOutput ?? 64 * 1024;
    return new Promise((resolve) => {
      let output = '';
      let bytes = 0;
      let timedOut = false;
      const keep = (chunk: Buffer) => {
        if (bytes >= maxOutput) return;
        const part = chunk.subarray(0, maxOutput - bytes);
        bytes += part.length;
        output += part.toString('utf8');
      };
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn('/bin/sh', ['-c', this.opts.command], {
          cwd: this.opts.cwd,
          env: eventEnv(event, this.opts.env ?? process.env),
          stdio: ['pipe', 'pipe', 'pipe'],
          detached: true, // its own process group, killed whole on timeout
        });
      } catch (err) {
        resolve({ event, ok: false, code: null, timedOut: false, output: '', error: (err as Error).message });
        return;
      }
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, this.opts.timeoutMs);
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      child.stdin?.on('error', () => undefined); // a command that does not read its stdin
      child.stdin?.end(`${JSON.stringify(event)}\n`);
      child.on('error', (err) => {
        clearTimeout(timer);
        resolve({ event, ok: false, code: null, timedOut, output, error: err.message });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ event, ok: code === 0 && !timedOut, code, timedOut, output, error: null });
      });
    });
  }
}
