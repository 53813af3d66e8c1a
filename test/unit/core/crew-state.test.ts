import { describe, expect, it } from 'vitest';
import { freshRuntime } from '../../../src/core/agent-state.js';
import { CREW_FORMAT, fromLedger, handedOff, newCrew } from '../../../src/core/crew-state.js';
import { agent } from '../../helpers/specs.js';

const specs = [agent('pm'), agent('dev', { after: ['t/pm'] })];
const handoff = { id: 'h1', from: 't/pm', to: 't/dev', message: 'go', file: null, state: 'pending' as const, created: 5, delivered: null };

describe('newCrew', () => {
  it('has every part: an agent per spec, no pressure, no handoffs', () => {
    const crew = newCrew(specs);
    expect(Object.keys(crew.agents)).toEqual(['t/pm', 't/dev']);
    expect(crew.pressure).toEqual({ over: 0, under: 0 });
    expect(crew.handoffs).toEqual([]);
  });
});

describe('fromLedger', () => {
  const saved = () => {
    const crew = newCrew(specs);
    crew.agents['t/pm'] = { ...freshRuntime('t/pm'), status: { state: 'running', since: 1 }, pid: 42, attempt: 3, restarts: 2 };
    crew.agents['t/dev'] = {
      ...freshRuntime('t/dev'),
      outbox: [
        { id: 'handoff-h1', kind: 'handoff', handoff: 'h1', force: false, tries: 0 },
        { id: 'm1', kind: 'message', text: 'left in the input', force: false, tries: 1, left: true },
      ],
    };
    crew.handoffs = [handoff];
    return JSON.parse(JSON.stringify(crew)) as unknown;
  };

  it('reads back what was saved, handoffs and outbox references included', () => {
    const r = fromLedger(specs, CREW_FORMAT, saved());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.crew.agents['t/pm']).toMatchObject({ pid: 42, attempt: 3, restarts: 2 });
    expect(r.crew.handoffs).toEqual([handoff]);
    expect(r.crew.agents['t/dev']?.outbox).toEqual([
      { id: 'handoff-h1', kind: 'handoff', handoff: 'h1', force: false, tries: 0 },
      { id: 'm1', kind: 'message', text: 'left in the input', force: false, tries: 1, left: true },
    ]);
    expect(handedOff(r.crew, 't/pm', 't/dev')).toBe(true);
  });

  it('keeps why an agent waits; a ledger written before these fields reads them as unknown', () => {
    const crew = saved() as { agents: Record<string, Record<string, unknown>> };
    Object.assign(crew.agents['t/pm'] as object, { activity: 'waiting', activityReason: 'permission', waitingLine: 'Do you want to proceed?' });
    const r = fromLedger(specs, CREW_FORMAT, crew);
    expect(r.ok && r.crew.agents['t/pm']).toMatchObject({ activity: 'waiting', activityReason: 'permission', waitingLine: 'Do you want to proceed?' });
    delete (crew.agents['t/pm'] as Record<string, unknown>).activityReason;
    delete (crew.agents['t/pm'] as Record<string, unknown>).waitingLine;
    const older = fromLedger(specs, CREW_FORMAT, crew);
    expect(older.ok && older.crew.agents['t/pm']).toMatchObject({ activity: 'waiting', activityReason: null, waitingLine: null });
  });

  it('fills agents the team file added and drops those it removed', () => {
    const r = fromLedger([agent('pm'), agent('qa')], CREW_FORMAT, saved());
    expect(r.ok && Object.keys(r.crew.agents)).toEqual(['t/pm', 't/qa']);
    expect(r.ok && r.crew.agents['t/qa']).toEqual(freshRuntime('t/qa'));
  });

  it.each([
    ['no version', undefined, 'has no ledger format version'],
    ['another version', 7, 'was written in ledger format 7; this muster reads format 3'],
  ])('refuses a ledger with %s', (_name, version, problem) => {
    expect(fromLedger(specs, version, saved())).toEqual({ ok: false, problem });
  });

  it.each([
    ['not an object', 'x', '"crew" is not an object'],
    ['no agents', {}, '"crew.agents" is not an object'],
    ['a bad status', { agents: { 't/pm': { status: { state: 'flying' } } }, pressure: { over: 0, under: 0 }, handoffs: [] }, 'crew.agents["t/pm"].status is {"state":"flying"}'],
    ['a status without its fields', { agents: { 't/pm': { status: { state: 'running' } } }, pressure: { over: 0, under: 0 }, handoffs: [] }, 'crew.agents["t/pm"].status has no "since"'],
    ['a counter of the wrong kind', { agents: { 't/pm': { status: { state: 'done', at: 1 }, restarts: 'two' } }, pressure: { over: 0, under: 0 }, handoffs: [] }, 'crew.agents["t/pm"].restarts is "two"'],
    ['no handoffs', { agents: {}, pressure: { over: 0, under: 0 } }, '"crew.handoffs" is not a list'],
    ['a bad handoff', { agents: {}, pressure: { over: 0, under: 0 }, handoffs: [{ id: 'h' }] }, 'crew.handoffs[0] has no "from"'],
  ])('refuses a crew with %s, saying where', (_name, crew, where) => {
    const r = fromLedger(specs, CREW_FORMAT, crew);
    expect(r).toEqual({ ok: false, problem: `does not hold a crew this muster can read: ${where}` });
  });

  it('upgrades format 1: handoff items by ref, pressure and handoffs filled, lost handoffs kept as delivered', () => {
    const v1 = {
      agents: {
        't/pm': { ...freshRuntime('t/pm'), status: { state: 'done', at: 9 }, handedOffTo: ['t/dev'] },
        't/dev': {
          ...freshRuntime('t/dev'),
          outbox: [
            { id: 'handoff-h0', kind: 'handoff', text: 'Handoff from t/pm: x', force: false, ref: 'h0', tries: 0 },
            { id: 'm1', kind: 'message', text: 'hi', force: true, ref: null, tries: 1 },
          ],
        },
      },
    };
    const r = fromLedger(specs, 1, JSON.parse(JSON.stringify(v1)));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.crew.pressure).toEqual({ over: 0, under: 0 });
    expect(r.crew.agents['t/dev']?.outbox).toEqual([
      { id: 'handoff-h0', kind: 'handoff', handoff: 'h0', force: false, tries: 0 },
      { id: 'm1', kind: 'message', text: 'hi', force: true, tries: 1 },
    ]);
    expect(handedOff(r.crew, 't/pm', 't/dev')).toBe(true);
    expect(r.crew.handoffs[0]).toMatchObject({ from: 't/pm', to: 't/dev', state: 'delivered' });
    expect('handedOffTo' in (r.crew.agents['t/pm'] as object)).toBe(false);
  });
});
