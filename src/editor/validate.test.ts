import { CoreApp } from '@grafana/data';

import { bucketProblem, isRunnable, queryProblems, timeShiftProblem } from './validate';

describe('bucketProblem', () => {
  it('accepts what the backend accepts', () => {
    for (const b of [undefined, '', '1m', '15m', '1h', '1d', '7d', '1w', 'range', '$bucket', '${bucket}']) {
      expect({ b, problem: bucketProblem(b) }).toEqual({ b, problem: undefined });
    }
  });
  it('refuses what the backend refuses, with a sentence', () => {
    expect(bucketProblem('30s')).toBe('A bucket is 1m to 7d');
    expect(bucketProblem('8d')).toBe('A bucket is 1m to 7d');
    expect(bucketProblem('5 minutes')).toMatch(/^Write a duration like 15m/);
    expect(bucketProblem('1.5h')).toMatch(/^Write a duration/);
  });
});

describe('queryProblems', () => {
  it('finds every incomplete state the editor shows', () => {
    const p = queryProblems({
      refId: 'A',
      queryType: 'conversationCounts',
      groupBy: 'metadata',
      limit: -1,
      filters: {
        metadata: [
          { key: 'plan', op: '=', value: 'pro' },
          { key: '', op: '=', value: 'x' },
        ],
      },
    });
    expect(p.metadataKey).toBe('Pick the metadata key');
    expect(p.limit).toMatch(/whole number/);
    expect(p.metadata).toEqual({ 1: 'Pick a metadata key, or remove this filter' });
    expect(isRunnable(p)).toBe(false);
  });
  it('lets a complete query run', () => {
    expect(isRunnable(queryProblems({ refId: 'A', queryType: 'tagRate', groupBy: 'locale', bucket: '1h' }))).toBe(true);
  });
  it('refuses values outside the variable editor and tables in alert rules', () => {
    expect(queryProblems({ refId: 'A', queryType: 'values' }).queryType).toMatch(/template variables/);
    expect(queryProblems({ refId: 'A', queryType: 'messages' }, CoreApp.UnifiedAlerting).queryType).toMatch(
      /Alert rules evaluate time series/
    );
    expect(queryProblems({ refId: 'A', queryType: 'tagRate' }, CoreApp.UnifiedAlerting).queryType).toBeUndefined();
  });
});

describe('timeShiftProblem', () => {
  it('accepts what the backend accepts and refuses the rest', () => {
    for (const s of [undefined, '', '1h', '7d', '1w', '366d', '$shift']) {
      expect({ s, problem: timeShiftProblem(s) }).toEqual({ s, problem: undefined });
    }
    for (const s of ['367d', 'last week', '-1d']) {
      expect(timeShiftProblem(s)).toMatch(/^Write how much earlier/);
    }
    expect(isRunnable(queryProblems({ refId: 'A', queryType: 'conversationVolume', timeShift: 'last week' }))).toBe(
      false
    );
  });
});
