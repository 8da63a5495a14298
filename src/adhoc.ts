import { AdHocVariableFilter, MetricFindValue } from '@grafana/data';

import { QUERY_TYPE_SPECS } from './generated/queryModel';
import { AgentXQuery, QueryFilters, ValuesField } from './types';

/** The group of a missing or empty value; as a filter value it selects that group. */
export const NONE = '(none)';

/** Ad hoc filter keys besides `metadata.<key>`, in the order the key picker offers them. */
export const ADHOC_KEYS = ['tag', 'locale', 'type'] as const;
export const METADATA_PREFIX = 'metadata.';

/** The values query that lists an ad hoc key's values, or undefined for a key this data source does not know. */
export function valuesFieldOf(key: string): { field: ValuesField; metadataKey?: string } | undefined {
  switch (key) {
    case 'tag':
      return { field: 'tag' };
    case 'locale':
      return { field: 'locale' };
    case 'type':
      return { field: 'messageType' };
  }
  if (key.startsWith(METADATA_PREFIX) && key.length > METADATA_PREFIX.length) {
    return { field: 'metadataValue', metadataKey: key.slice(METADATA_PREFIX.length) };
  }
  return undefined;
}

/** Ad hoc keys: tag, locale, message type, and one per metadata key seen. */
export function tagKeys(metadataKeys: string[]): MetricFindValue[] {
  return [
    { text: 'tag' },
    { text: 'locale' },
    { text: 'type' },
    ...metadataKeys.map((k) => ({ text: METADATA_PREFIX + k })),
  ];
}

/** A key's values as the picker offers them: the data's, and (none) last (the group of a missing value). */
export function tagValues(values: string[]): MetricFindValue[] {
  return [...values.filter((v) => v !== NONE), NONE].map((text) => ({ text }));
}

/** Whether a query reads messages, the only records a message type filter applies to. */
export function readsMessages(q: AgentXQuery): boolean {
  return (
    (!!q.queryType && QUERY_TYPE_SPECS[q.queryType].reads === 'messages') ||
    (q.queryType === 'values' && q.field === 'messageType')
  );
}

/** An ad hoc filter this data source cannot apply: the panel shows why instead of a number that ignores it. */
export class AdHocFilterError extends Error {}

const add = (list: string[] | undefined, v: string) => (list?.includes(v) ? list : [...(list ?? []), v]);

/**
 * "is v" on a list filter that means "one of": ad hoc filters narrow the panel, so
 * the list becomes its intersection with v. When v is not in it (or is excluded),
 * no record can pass, and the filters say so: "is v" and "is not v".
 */
function narrowTo(oneOf: string[] | undefined, excluded: string[] | undefined, v: string) {
  if (!oneOf?.length || oneOf.includes(v)) {
    return { oneOf: [v], excluded };
  }
  return { oneOf: [v], excluded: add(excluded, v) };
}

/**
 * The query with the dashboard's ad hoc filters added to its own filters, with
 * their meaning: tag = / != → tags / excludeTags, locale = / != → locales /
 * excludeLocales, metadata.k = / != → a metadata filter, type = / != → types /
 * excludeTypes for the queries that read messages (a conversation has no type:
 * conversation queries are left as they are by that filter).
 */
export function applyAdHocFilters(query: AgentXQuery, adhoc?: AdHocVariableFilter[]): AgentXQuery {
  if (!adhoc?.length) {
    return query;
  }
  let f: QueryFilters = { ...query.filters };
  for (const a of adhoc) {
    if (a.operator !== '=' && a.operator !== '!=') {
      throw new AdHocFilterError(
        `ad hoc filter ${a.key} ${a.operator} ${a.value}: this data source filters with = and != only`
      );
    }
    const is = a.operator === '=';
    const v = a.value;
    if (a.key === 'tag') {
      f = is ? { ...f, tags: add(f.tags, v) } : { ...f, excludeTags: add(f.excludeTags, v) };
    } else if (a.key === 'locale') {
      if (is) {
        const n = narrowTo(f.locales, f.excludeLocales, v);
        f = { ...f, locales: n.oneOf, excludeLocales: n.excluded };
      } else {
        f = { ...f, excludeLocales: add(f.excludeLocales, v) };
      }
    } else if (a.key === 'type') {
      if (!readsMessages(query)) {
        continue;
      }
      if (is) {
        const n = narrowTo(f.types, f.excludeTypes, v);
        f = { ...f, types: n.oneOf, excludeTypes: n.excluded };
      } else {
        f = { ...f, excludeTypes: add(f.excludeTypes, v) };
      }
    } else if (a.key.startsWith(METADATA_PREFIX) && a.key.length > METADATA_PREFIX.length) {
      f = {
        ...f,
        metadata: [...(f.metadata ?? []), { key: a.key.slice(METADATA_PREFIX.length), op: a.operator, value: v }],
      };
    } else {
      throw new AdHocFilterError(`ad hoc filter key ${a.key} is unknown; use tag, locale, type or metadata.<key>`);
    }
  }
  return { ...query, filters: f };
}
