import { DataFrame, FieldType, toDataFrame } from '@grafana/data';

import { markRunningBuckets } from './runningBucket';

const hour = 3600_000;
const start = Date.UTC(2026, 11, 1, 10);

function series(times: number[], type = 'timeseries-multi'): DataFrame {
  return toDataFrame({
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
