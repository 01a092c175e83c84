import { describe, expect, it } from 'vitest';
import type { MonitorReplayResult } from '../../../../shared/monitor-history';
import { AROUND, parseGoTo, replaySummary, retainedRange, windowAround } from './history-model';

describe('parseGoTo', () => {
  const now = new Date(2024, 4, 1, 16, 0, 0);

  it('reads a seq', () => {
    expect(parseGoTo('1234', now)).toEqual({ seq: 1234 });
    expect(parseGoTo(' #42 ', now)).toEqual({ seq: 42 });
    expect(parseGoTo('0', now)).toEqual({ error: 'A seq is a whole number from 1.' });
  });

  it('reads a time of day today, a local date and time, and an ISO time', () => {
    expect(parseGoTo('14:30', now)).toEqual({ time: new Date(2024, 4, 1, 14, 30).getTime() });
    expect(parseGoTo('9:05:07.250', now)).toEqual({ time: new Date(2024, 4, 1, 9, 5, 7, 250).getTime() });
    expect(parseGoTo('2024-04-30 08:15', now)).toEqual({ time: new Date(2024, 3, 30, 8, 15).getTime() });
    expect(parseGoTo('2024-04-30T08:15:00Z', now)).toEqual({ time: Date.UTC(2024, 3, 30, 8, 15) });
  });

  it('says what it expects otherwise', () => {
    expect(parseGoTo('', now)).toEqual({
      error: 'Type a seq (e.g. 1234) or a time (e.g. 14:30 or 2024-05-01 14:30).',
    });
    expect(parseGoTo('yesterday', now)).toEqual({
      error: "'yesterday' is neither a seq nor a time (e.g. 14:30 or 2024-05-01 14:30).",
    });
    expect(parseGoTo('25:99', now)).toHaveProperty('error');
  });
});

describe('windowAround', () => {
  it('pages around the seq, down to the oldest kept, and up to what is shown when that is close', () => {
    expect(windowAround(5000, 1, 90_000)).toEqual({ from: 5000 - AROUND, to: 5000 + AROUND });
    expect(windowAround(50, 40, 90_000)).toEqual({ from: 40, to: 50 + AROUND });
    expect(windowAround(5000, 1, 5500)).toEqual({ from: 5000 - AROUND, to: 5500 });
  });
});

describe('words', () => {
  it('says what the log holds', () => {
    expect(retainedRange({ oldest_seq: 7, last_seq: 6, oldest_at: null, last_at: null, trimmed: true })).toBe(
      'The event log is empty.',
    );
    expect(
      retainedRange({
        oldest_seq: 1201,
        last_seq: 5400,
        oldest_at: '2024-05-01T10:42:03.000Z',
        last_at: '2024-05-01T11:00:00.000Z',
        trimmed: true,
      }),
    ).toMatch(/^The event log holds seqs 1,201–5,400 \(.+ to .+\)\.$/);
  });

  it('sums up a replay', () => {
    const r: MonitorReplayResult = {
      connection: 'c',
      instance: 'local',
      dialect: 'native',
      from_seq: 1,
      to_seq: 6,
      events: 6,
      sent: 3,
      delivered: 3,
      skipped: { rule: 1, filter: 1, not_subscribed: 1, other: 0 },
    };
    expect(replaySummary(r)).toBe(
      '3 frames sent · 1 skipped by filter · 1 skipped by view rule · 1 not subscribed',
    );
    expect(
      replaySummary({ ...r, sent: 1, skipped: { rule: 0, filter: 0, not_subscribed: 0, other: 0 } }),
    ).toBe('1 frame sent');
  });
});
