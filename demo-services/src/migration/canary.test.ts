import { describe, expect, it } from 'vitest';
import { judgeCanary, resolveThresholds, stageFigures, type SeriesPoint, type StageFigures } from './canary.js';

const fig = (requests: number, errors: number, p99Ms: number): StageFigures => ({ requests, errors, errorRate: requests ? errors / requests : 0, p99Ms });

describe('stageFigures', () => {
  it.each([
    ['a stage inside one minute', [{ startMs: 0, requests: 10, errors: 1, p99Ms: 40 }], [{ startMs: 0, requests: 30, errors: 5, p99Ms: 60 }], fig(20, 4, 60)],
    [
      'a stage across a minute boundary',
      [{ startMs: 0, requests: 10, errors: 0, p99Ms: 40 }],
      [
        { startMs: 0, requests: 14, errors: 2, p99Ms: 45 },
        { startMs: 60_000, requests: 6, errors: 0, p99Ms: 90 },
      ],
      fig(10, 2, 90),
    ],
    ['minutes the stage did not touch are ignored', [{ startMs: 0, requests: 10, errors: 9, p99Ms: 4000 }], [{ startMs: 0, requests: 10, errors: 9, p99Ms: 4000 }, { startMs: 60_000, requests: 4, errors: 0, p99Ms: 20 }], fig(4, 0, 20)],
    ['nothing new', [], [], fig(0, 0, 0)],
  ] as [string, SeriesPoint[], SeriesPoint[], StageFigures][])('%s', (_name, before, after, expected) => {
    expect(stageFigures(before, after)).toEqual(expected);
  });

  it('does not change its input', () => {
    const before = [{ startMs: 0, requests: 1, errors: 0, p99Ms: 5 }];
    const after = [{ startMs: 0, requests: 3, errors: 1, p99Ms: 7 }];
    const copy = JSON.stringify([before, after]);
    stageFigures(before, after);
    expect(JSON.stringify([before, after])).toBe(copy);
  });
});

describe('judgeCanary (default margin: +5 points of error rate, p99 within 2x and +500 ms)', () => {
  it.each([
    ['healthy new side', fig(40, 0, 30), fig(200, 0, 25), 'promote'],
    ['slightly more errors, inside the margin', fig(100, 4, 30), fig(200, 0, 25), 'promote'],
    ['failing new side', fig(20, 20, 5), fig(200, 0, 25), 'rollback'],
    ['errors just past the margin', fig(100, 6, 30), fig(200, 0, 25), 'rollback'],
    ['worse only because the monolith fails too', fig(100, 20, 30), fig(200, 36, 25), 'promote'],
    ['slow new side', fig(40, 0, 4000), fig(200, 0, 30), 'rollback'],
    ['slower, but within the slack', fig(40, 0, 400), fig(200, 0, 30), 'promote'],
    ['too little traffic to judge', fig(2, 2, 5), fig(200, 0, 25), 'wait'],
    ['no monolith traffic left: held to the margin alone', fig(50, 1, 900), fig(0, 0, 0), 'promote'],
    ['no monolith traffic left and failing', fig(50, 10, 20), fig(0, 0, 0), 'rollback'],
  ] as [string, StageFigures, StageFigures, string][])('%s → %s', (_name, candidate, baseline, verdict) => {
    const result = judgeCanary(candidate, baseline);
    expect(result.verdict).toBe(verdict);
    expect(result.reason.length).toBeGreaterThan(0);
  });

  it('says why it rolls back, with the figures', () => {
    expect(judgeCanary(fig(20, 20, 5), fig(200, 0, 25)).reason).toBe("error rate 100.0% (20/20) against the monolith's 0.0%, margin 5.0%");
  });

  it('takes other thresholds', () => {
    expect(judgeCanary(fig(100, 6, 30), fig(200, 0, 25), resolveThresholds({ errorRateMargin: 0.1 })).verdict).toBe('promote');
    expect(judgeCanary(fig(2, 0, 30), fig(200, 0, 25), resolveThresholds({ minRequests: 1 })).verdict).toBe('promote');
  });

  it('refuses thresholds that make no sense', () => {
    expect(() => resolveThresholds({ errorRateMargin: 2 })).toThrow(/errorRateMargin/);
    expect(() => resolveThresholds({ p99Ratio: 0.5 })).toThrow(/p99Ratio/);
    expect(() => resolveThresholds({ minRequests: 0 })).toThrow(/minRequests/);
  });
});
