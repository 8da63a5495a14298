import { CoreApp, DataQueryRequest } from '@grafana/data';

import { QUERY_TYPE_SPECS } from './generated/queryModel';
import { AgentXQuery } from './types';

/**
 * The IANA name the backend can load for a Grafana time zone: "browser" (and a
 * dashboard's empty "Default", which Grafana resolves to the browser's) is the
 * viewer's own zone, which only the browser knows; Grafana writes UTC as "utc".
 */
export function resolveTimeZone(tz?: string): string {
  if (!tz || tz === 'browser') {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  }
  if (tz.toLowerCase() === 'utc') {
    return 'UTC';
  }
  return tz;
}

/**
 * Fills each query's timezone from the request's (the dashboard's or Explore's)
 * when the query names none, so that days and weeks are the viewer's. A query
 * that names its own zone keeps it, resolved the same way.
 */
export function withRequestTimeZone(request: DataQueryRequest<AgentXQuery>): DataQueryRequest<AgentXQuery> {
  const targets = request.targets.map((q) => {
    if (!q.queryType || QUERY_TYPE_SPECS[q.queryType]?.kind !== 'series') {
      return q; // tables show instants; Grafana renders them in the dashboard's zone
    }
    return { ...q, timezone: resolveTimeZone(q.timezone || request.timezone) };
  });
  return { ...request, targets };
}

/** Says which zone the buckets follow, for the editor. */
export function zoneNote(timezone: string | undefined, app?: CoreApp | string, requestZone?: string): string {
  if (timezone) {
    return `Buckets follow ${timezone.startsWith('$') ? timezone : resolveTimeZone(timezone)}`;
  }
  if (app === CoreApp.UnifiedAlerting || app === CoreApp.CloudAlerting) {
    return 'Buckets follow UTC: alert rules have no dashboard. Pick a zone for local days and weeks';
  }
  return `Buckets follow the dashboard's time zone (${resolveTimeZone(requestZone)})`;
}
