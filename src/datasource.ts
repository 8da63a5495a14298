import { CoreApp, DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import { AgentXOptions, AgentXQuery, DEFAULT_QUERY, QueryFilters } from './types';

export class DataSource extends DataSourceWithBackend<AgentXQuery, AgentXOptions> {
  constructor(instanceSettings: DataSourceInstanceSettings<AgentXOptions>) {
    super(instanceSettings);
  }

  getDefaultQuery(_: CoreApp): Partial<AgentXQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: AgentXQuery): boolean {
    return !query.hide && !!query.queryType;
  }

  applyTemplateVariables(query: AgentXQuery, scopedVars: ScopedVars): AgentXQuery {
    const srv = getTemplateSrv();
    const one = (v?: string) => (v === undefined ? v : srv.replace(v, scopedVars));
    // A multi-value variable becomes several list entries, not one comma-joined text.
    const many = (list?: string[]) =>
      list?.flatMap((v) => {
        const replaced = srv.replace(v, scopedVars, 'json');
        try {
          const parsed: unknown = JSON.parse(replaced);
          return Array.isArray(parsed) ? parsed.map(String) : [String(parsed)];
        } catch {
          return [replaced];
        }
      });
    const f: QueryFilters | undefined = query.filters && {
      ...query.filters,
      tags: many(query.filters.tags),
      excludeTags: many(query.filters.excludeTags),
      locales: many(query.filters.locales),
      conversationId: one(query.filters.conversationId),
      metadata: query.filters.metadata?.map((m) => ({ ...m, key: one(m.key) ?? '', value: one(m.value) ?? '' })),
    };
    return {
      ...query,
      bot: one(query.bot),
      metadataKey: one(query.metadataKey),
      tag: one(query.tag),
      bucket: one(query.bucket),
      filters: f,
    };
  }
}
