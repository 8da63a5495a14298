import { CoreApp, DataQueryRequest, DataQueryResponse, DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';
import { Observable, of } from 'rxjs';

import { conversationEvents, prepareAnnotation } from './annotations';
import { AnnotationQueryEditor } from './components/AnnotationQueryEditor';
import { interpolateBot } from './editor/bots';
import { migrateQuery } from './editor/queryModel';
import { resolveTimeZone, withRequestTimeZone } from './timezone';
import { AgentXVariableSupport } from './variables';

import { AgentXOptions, AgentXQuery, DEFAULT_QUERY, QueryFilters, ValuesField } from './types';

/**
 * The value a multi-value variable's "All" stands for in list filters: no filter.
 * ("All locales" is not the list of known locales: that would drop conversations
 * without one, and "all tags" would ask for conversations carrying every tag.)
 */
export const ALL_VALUES = '__all__';

export class DataSource extends DataSourceWithBackend<AgentXQuery, AgentXOptions> {
  constructor(instanceSettings: DataSourceInstanceSettings<AgentXOptions>) {
    super(instanceSettings);
    this.variables = new AgentXVariableSupport(this);
    this.annotations = {
      QueryEditor: AnnotationQueryEditor,
      prepareAnnotation,
      processEvents: (_anno, frames) => of(conversationEvents(frames)),
    };
  }

  /** Bots configured on the data source, default first. */
  async getBots(): Promise<string[]> {
    const r = await this.getResource<{ bots: string[] }>('bots');
    return r.bots ?? [];
  }

  /** Distinct values of field for bot over the last day, read through the backend's cache. */
  async getValues(field: ValuesField, bot?: string, metadataKey?: string): Promise<string[]> {
    const srv = getTemplateSrv();
    const params: Record<string, string> = { field };
    if (bot) {
      params.bot = srv.replace(bot);
    }
    if (metadataKey) {
      params.metadataKey = srv.replace(metadataKey);
    }
    const r = await this.getResource<{ values: string[] }>('values', params);
    return r.values ?? [];
  }

  getDefaultQuery(_: CoreApp): Partial<AgentXQuery> {
    return DEFAULT_QUERY;
  }

  /** Buckets follow the dashboard's time zone unless a query names its own. */
  query(request: DataQueryRequest<AgentXQuery>): Observable<DataQueryResponse> {
    return super.query(withRequestTimeZone(request));
  }

  filterQuery(query: AgentXQuery): boolean {
    return !query.hide && !!query.queryType;
  }

  applyTemplateVariables(saved: AgentXQuery, scopedVars: ScopedVars): AgentXQuery {
    const query = migrateQuery(saved);
    const srv = getTemplateSrv();
    const one = (v?: string) => (v === undefined ? v : srv.replace(v, scopedVars));
    // A multi-value variable becomes several list entries, not one comma-joined text.
    const many = (list?: string[]) =>
      list
        ?.flatMap((v) => {
          const replaced = srv.replace(v, scopedVars, 'json');
          try {
            const parsed: unknown = JSON.parse(replaced);
            return Array.isArray(parsed) ? parsed.map(String) : [String(parsed)];
          } catch {
            return [replaced];
          }
        })
        .filter((v) => v !== ALL_VALUES);
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
      bot: interpolateBot(query.bot, (text, format) => srv.replace(text, scopedVars, format)),
      groupBy: one(query.groupBy) as AgentXQuery['groupBy'],
      metadataKey: one(query.metadataKey),
      tag: one(query.tag),
      stat: one(query.stat) as AgentXQuery['stat'],
      bucket: one(query.bucket),
      timeShift: one(query.timeShift),
      timezone: query.timezone && resolveTimeZone(one(query.timezone)),
      field: one(query.field) as AgentXQuery['field'],
      filters: f,
    };
  }
}
