import { describe, expect, it } from 'vitest';
import { checkinsOf } from '../../../src/supervisor/store/checkin-events.js';

describe('checkinsOf: an agent’s check-ins and done messages from the event log', () => {
  it('keeps the agent’s own, oldest first, and only their words', () => {
    const events = [
      { seq: 1, agent: 'web/dev', kind: 'checkin', message: 'checked in: parser done' },
      { seq: 2, agent: 'web/ui', kind: 'checkin', message: 'checked in: not mine' },
      { seq: 3, agent: 'web/dev', kind: 'started', message: 'started (attempt 2, pid 9)' },
      { seq: 4, agent: 'web/dev', kind: 'checkin', message: 'checked in' },
      { seq: 5, agent: 'web/dev', kind: 'checkin', message: 'checked in: tests green\nand lint' },
      { seq: 6, agent: 'web/dev', kind: 'done', message: 'done: ready to land' },
      { seq: 7, agent: 'web/dev', kind: 'done', message: 'done' },
      { seq: 8, kind: 'checkin', message: 'checked in: no agent' },
      { seq: 9, agent: 'web/dev', kind: 'checkin', message: 42 },
    ];
    expect(checkinsOf(events, 'web/dev')).toEqual(['parser done', 'tests green\nand lint', 'ready to land']);
    expect(checkinsOf(events, 'web/none')).toEqual([]);
  });
});
