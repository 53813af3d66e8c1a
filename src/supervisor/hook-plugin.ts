/**
 * Hooks for a CLI that loads plugins rather than running commands (opencode; docs/presets.md,
 * "Sessions and hooks"): the text of a small JavaScript module muster writes for one run of
 * one agent. opencode calls its `event` hook with every event of its bus; the module
 *
 * - appends a report line — the same line a command hook appends (agent-hooks.ts) — for each
 *   event the preset names (`on`, and `match` tested against the event's properties as
 *   JSON), with the session id in its payload;
 * - appends each finished model call's tokens (`message.updated` of an assistant message
 *   with its `finish`) to `<usage dir>/<session id>.jsonl`, muster's record of the session's
 *   usage (transcripts/formats.ts, `opencode`).
 *
 * It never throws into the CLI: a write that fails costs that line. Pure (text out).
 */
import type { HookEventSpec } from '../config/preset-types.js';

export interface PluginModuleOptions {
  /** the agent's report file */
  report: string;
  agent: string;
  attempt: number;
  events: readonly HookEventSpec[];
  /** where each session's usage lines go */
  usageDir: string;
  /** the report format's mark (agent-hooks.ts) */
  mark: string;
  /** how much of a payload a report keeps */
  payloadBytes: number;
}

const js = (v: unknown): string => JSON.stringify(v);

/** The module's source. */
export function pluginModule(o: PluginModuleOptions): string {
  const events = o.events.map((e) => ({ on: e.event, match: e.match, state: e.activity ?? 'none' }));
  return `// muster's reporter for one run of ${o.agent.replace(/[^\w/.-]/g, '?')} (written by muster at each start; do not edit)
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const REPORT = ${js(o.report)};
const AGENT = ${js(o.agent)};
const ATTEMPT = ${js(String(o.attempt))};
const USAGE = ${js(o.usageDir)};
const EVENTS = ${js(events)}.map((e) => ({ ...e, re: e.match === null ? null : new RegExp(e.match, 'm') }));
const SESSION = /^[A-Za-z0-9_.:-]{1,128}$/;
const flat = (s) => s.replace(/[\\t\\n\\r]/g, ' ');
const written = new Map();
let usageDirMade = false;

function report(state, type, session) {
  const payload = flat(JSON.stringify({ session_id: session, event: type })).slice(0, ${o.payloadBytes});
  appendFileSync(REPORT, [${js(o.mark)}, AGENT, ATTEMPT, state, type, process.env.MUSTER_AGENT ?? '', payload].join('\\t') + '\\n');
}

function usage(info) {
  if (info.role !== 'assistant' || !info.finish || !info.tokens || typeof info.id !== 'string' || !SESSION.test(info.sessionID ?? '')) return;
  const line = JSON.stringify({ id: info.id, model: info.modelID ?? null, provider: info.providerID ?? null, tokens: info.tokens });
  if (written.get(info.id) === line) return; // opencode sends a finished message again when it stores its end time
  if (!usageDirMade) {
    mkdirSync(USAGE, { recursive: true, mode: 0o700 });
    usageDirMade = true;
  }
  appendFileSync(join(USAGE, info.sessionID + '.jsonl'), line + '\\n');
  written.set(info.id, line);
}

export const MusterReports = async () => ({
  event: async ({ event }) => {
    try {
      const props = event?.properties ?? {};
      if (event.type === 'message.updated' && props.info) usage(props.info);
      const session = typeof props.sessionID === 'string' && SESSION.test(props.sessionID) ? props.sessionID : null;
      let text = null;
      for (const e of EVENTS) {
        if (e.on !== event.type) continue;
        if (e.re !== null && !e.re.test((text ??= JSON.stringify(props)))) continue;
        report(e.state, event.type, session);
        return;
      }
    } catch {
      // a report that cannot be written is lost, never the CLI's turn
    }
  },
});
`;
}
