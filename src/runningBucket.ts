import { DataFrame, DataQueryResponse, FieldType, QueryResultMetaNotice } from '@grafana/data';

/**
 * The newest bucket of a time series that ends after now is still being filled:
 * an hour at :20 holds a third of what a whole one does, and reads like a collapse.
 * Grafana shows a frame's notices on the panel, so the bucket is named there.
 * Alert rules never pass through here: they evaluate what the backend answers.
 */
export function markRunningBuckets(
  response: DataQueryResponse,
  now: number,
  zones: Record<string, string | undefined> = {}
): DataQueryResponse {
  if (!response.data?.length) {
    return response;
  }
  return { ...response, data: response.data.map((f: DataFrame) => markFrame(f, now, zones[f.refId ?? ''])) };
}

function markFrame(frame: DataFrame, now: number, zone?: string): DataFrame {
  const time = frame.fields.find((f) => f.type === FieldType.time);
  const n = time?.values.length ?? 0;
  if (!time || n < 2 || frame.meta?.type !== 'timeseries-multi') {
    return frame; // a table, or one bucket over the whole range
  }
  const last = Number(time.values[n - 1]);
  const prev = Number(time.values[n - 2]);
  const end = bucketEnd(prev, last, zone);
  if (!(last > prev) || now < last || now >= end) {
    return frame;
  }
  const notice: QueryResultMetaNotice = {
    severity: 'info',
    text: `The newest bucket is still under way: it holds ${human(now - last)} of its ${human(end - last)} so far, so it reads lower than a whole one until it ends.`,
  };
  return { ...frame, meta: { ...frame.meta, notices: [...(frame.meta?.notices ?? []), notice] } };
}

const HOUR = 3_600_000;

/**
 * Where the bucket that starts at last ends, given the one before it. Buckets of
 * whole hours follow the zone's clock (the backend's timegrid): a day bucket is 23
 * or 25 hours when the clock changes, so the newest one is as long on the clock as
 * the one before, not in milliseconds. Other buckets, and a zone the browser does
 * not know (a variable, say), keep the fixed length.
 */
function bucketEnd(prev: number, last: number, zone?: string): number {
  const step = last - prev;
  const wallLast = wallClock(last, zone);
  const wallStep = wallLast - wallClock(prev, zone);
  if (wallStep < HOUR || wallStep % HOUR !== 0 || Number.isNaN(wallStep)) {
    return last + step;
  }
  // The instant the clock reads the next edge: twice round, as the offset may change on the way.
  const target = wallLast + wallStep;
  let t = target - (wallLast - last);
  t = target - (wallClock(t, zone) - t);
  if (!(t > last)) {
    return last + step;
  }
  // Hour buckets start each time the clock reads a whole one: where the clock goes
  // back inside this bucket, an edge it reads again ends the bucket there (Berlin's
  // 02:00 comes twice in October). A day starts only the first time.
  if (wallStep < 24 * HOUR) {
    const back = clockGoesBack(last, t, zone);
    if (back) {
      const g = wallLast + Math.ceil((back.wall - wallLast) / wallStep) * wallStep;
      if (g < back.wall + back.by) {
        return Math.min(t, back.at + (g - back.wall));
      }
    }
  }
  return t;
}

/** Where the zone's clock goes back between from and to, to which wall time and by how much. */
function clockGoesBack(from: number, to: number, zone?: string): { at: number; wall: number; by: number } | undefined {
  const offset = (t: number) => wallClock(t, zone) - t;
  const before = offset(from);
  const after = offset(to);
  if (!(after < before)) {
    return undefined;
  }
  // Clocks change on a whole minute: find the first minute with the new offset.
  let lo = Math.floor(from / 60_000);
  let hi = Math.ceil(to / 60_000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offset(mid * 60_000) === before) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  const at = hi * 60_000;
  return { at, wall: wallClock(at, zone), by: before - after };
}

const clocks = new Map<string, Intl.DateTimeFormat | null>();

/** t as the zone's clock reads it, in milliseconds since 1970-01-01 00:00 on that clock; NaN for an unknown zone. */
function wallClock(t: number, zone?: string): number {
  if (!zone || zone === 'UTC') {
    return t;
  }
  if (!clocks.has(zone)) {
    try {
      clocks.set(
        zone,
        new Intl.DateTimeFormat('en-US', {
          timeZone: zone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        })
      );
    } catch {
      clocks.set(zone, null); // not an IANA name the browser knows
    }
  }
  const clock = clocks.get(zone);
  if (!clock) {
    return NaN;
  }
  const p: Record<string, number> = {};
  for (const part of clock.formatToParts(new Date(t))) {
    p[part.type] = Number(part.value);
  }
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) + (((t % 1000) + 1000) % 1000);
}

function human(ms: number): string {
  const minutes = Math.floor(ms / 60000);
  if (minutes < 120) {
    return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    return `${hours} hours`;
  }
  return `${Math.floor(hours / 24)} days`;
}
