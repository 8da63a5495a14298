import { DataFrame, FieldType, toDataFrame } from '@grafana/data';

import { markRunningBuckets } from './runningBucket';

const hour = 3600_000;
const start = Date.UTC(2026, 11, 1, 10);

function series(times: number[], type = 'timeseries-multi'): DataFrame {
  return toDataFrame({
    refId: 'A',
    meta: { type },
    fields: [
      { name: 'time', type: FieldType.time, values: times },
      { name: 'conversations', type: FieldType.number, values: times.map(() => 40) },
    ],
  });
}

const notices = (f: DataFrame) => (f.meta?.notices ?? []).map((n) => `${n.severity}: ${n.text}`);

test('an hour bucket at :20 is named as still under way, with how much of it is in', () => {
  const f = series([start, start + hour, start + 2 * hour]);
  const [out] = markRunningBuckets({ data: [f] }, start + 2 * hour + 20 * 60_000).data;
  expect(notices(out)).toEqual([
    'info: The newest bucket is still under way: it holds 20 minutes of its 60 minutes so far, so it reads lower than a whole one until it ends.',
  ]);
  expect(out.fields).toBe(f.fields); // the numbers are untouched
});

test('a day bucket says hours', () => {
  const day = 24 * hour;
  const [out] = markRunningBuckets({ data: [series([start, start + day])] }, start + day + 14 * hour + 5).data;
  expect(notices(out)[0]).toContain('it holds 14 hours of its 24 hours so far');
});

test('complete buckets, tables and whole-range figures are left alone', () => {
  const done = series([start, start + hour]);
  const table = series([start, start + hour], '');
  const whole = series([start]);
  const now = start + hour + 5 * 60_000;
  const out = markRunningBuckets({ data: [done, table, whole] }, start + 2 * hour).data;
  expect(out.map(notices)).toEqual([[], [], []]);
  expect(markRunningBuckets({ data: [table, whole] }, now).data.map(notices)).toEqual([[], []]);
});

describe('a day bucket on the day the clock changes', () => {
  // Berlin: 29 March 2026 has 23 hours (02:00 → 03:00), 25 October 2026 has 25.
  const berlinMidnight = (month: number, day: number, offsetHours: number) =>
    Date.UTC(2026, month - 1, day) - offsetHours * hour;

  test('the short day is 23 hours long, and its last hour is still under way', () => {
    const prev = berlinMidnight(3, 28, 1);
    const last = berlinMidnight(3, 29, 1);
    const next = berlinMidnight(3, 30, 2);
    expect(next - last).toBe(23 * hour);
    const f = series([prev, last]);
    const [out] = markRunningBuckets({ data: [f] }, next - 30 * 60_000, { A: 'Europe/Berlin' }).data;
    expect(notices(out)[0]).toContain('it holds 22 hours of its 23 hours so far');
    expect(notices(markRunningBuckets({ data: [f] }, next, { A: 'Europe/Berlin' }).data[0])).toEqual([]);
  });

  test('the day after the short one is 24 hours again, though the one before it was 23', () => {
    const prev = berlinMidnight(3, 29, 1);
    const last = berlinMidnight(3, 30, 2);
    expect(last - prev).toBe(23 * hour);
    const f = series([prev, last]);
    const [out] = markRunningBuckets({ data: [f] }, last + 23 * hour + 30 * 60_000, { A: 'Europe/Berlin' }).data;
    expect(notices(out)[0]).toContain('it holds 23 hours of its 24 hours so far');
  });

  test('the long day is 25 hours', () => {
    const prev = berlinMidnight(10, 24, 2);
    const last = berlinMidnight(10, 25, 2);
    const f = series([prev, last]);
    const [out] = markRunningBuckets({ data: [f] }, last + 24 * hour + 5 * 60_000, { A: 'Europe/Berlin' }).data;
    expect(notices(out)[0]).toContain('it holds 24 hours of its 25 hours so far');
  });

  test('a zone the browser does not know (an unresolved variable) keeps the fixed length', () => {
    const f = series([start, start + 24 * hour]);
    const [out] = markRunningBuckets({ data: [f] }, start + 24 * hour + 14 * hour, { A: '$zone' }).data;
    expect(notices(out)[0]).toContain('it holds 14 hours of its 24 hours so far');
  });
});

describe('an hour bucket where the clock changes', () => {
  const berlin = { A: 'Europe/Berlin' };
  test('the hour after the clock skips one is an hour', () => {
    // 29 March 2026, 01:00 UTC: 02:00 CET becomes 03:00 CEST.
    const last = Date.UTC(2026, 2, 29, 0); // 01:00 CET
    const [out] = markRunningBuckets({ data: [series([last - hour, last])] }, last + 59 * 60_000, berlin).data;
    expect(notices(out)[0]).toContain('it holds 59 minutes of its 60 minutes so far');
    expect(notices(markRunningBuckets({ data: [series([last - hour, last])] }, last + hour, berlin).data[0])).toEqual(
      []
    );
  });

  test('02:00 CEST ends where the clock reads 02:00 again, an hour later', () => {
    // 25 October 2026, 01:00 UTC: 03:00 CEST becomes 02:00 CET.
    const last = Date.UTC(2026, 9, 25, 0); // 02:00 CEST
    const f = series([last - hour, last]);
    expect(notices(markRunningBuckets({ data: [f] }, last + 59 * 60_000, berlin).data[0])[0]).toContain(
      'of its 60 minutes'
    );
    expect(notices(markRunningBuckets({ data: [f] }, last + hour, berlin).data[0])).toEqual([]);
  });

  test('a six-hour bucket over the change is seven hours', () => {
    const last = Date.UTC(2026, 9, 24, 22); // 00:00 CEST
    const f = series([last - 6 * hour, last]);
    const [out] = markRunningBuckets({ data: [f] }, last + 6 * hour + 30 * 60_000, berlin).data;
    expect(notices(out)[0]).toContain('it holds 6 hours of its 7 hours so far');
  });
});
