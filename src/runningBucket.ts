import { DataFrame, DataQueryResponse, FieldType, QueryResultMetaNotice } from '@grafana/data';

/**
 * The newest bucket of a time series that ends after now is still being filled:
 * an hour at :20 holds a third of what a whole one does, and reads like a collapse.
 * Grafana shows a frame's notices on the panel, so the bucket is named there.
 * Alert rules never pass through here: they evaluate what the backend answers.
 */
export function markRunningBuckets(response: DataQueryResponse, now: number): DataQueryResponse {
  if (!response.data?.length) {
    return response;
  }
  return { ...response, data: response.data.map((f: DataFrame) => markFrame(f, now)) };
}

function markFrame(frame: DataFrame, now: number): DataFrame {
  const time = frame.fields.find((f) => f.type === FieldType.time);
  const n = time?.values.length ?? 0;
  if (!time || n < 2 || frame.meta?.type !== 'timeseries-multi') {
    return frame; // a table, or one bucket over the whole range
  }
  const last = Number(time.values[n - 1]);
  const step = last - Number(time.values[n - 2]);
  if (!(step > 0) || now < last || now >= last + step) {
    return frame;
  }
  const notice: QueryResultMetaNotice = {
    severity: 'info',
    text: `The newest bucket is still under way: it holds ${human(now - last)} of its ${human(step)} so far, so it reads lower than a whole one until it ends.`,
  };
  return { ...frame, meta: { ...frame.meta, notices: [...(frame.meta?.notices ?? []), notice] } };
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
