import {
  AdHocVariableFilter,
  CoreApp,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceGetTagKeysOptions,
  DataSourceGetTagValuesOptions,
  DataSourceInstanceSettings,
  DataSourceWithLogsContextSupport,
  DataSourceWithQueryModificationSupport,
  DataSourceWithSupplementaryQueriesSupport,
  DataSourceWithToggleableQueryFiltersSupport,
  dateTime,
  LogRowContextOptions,
  LogRowModel,
  MetricFindValue,
  QueryFilterOptions,
  QueryFixAction,
  ScopedVars,
  SupplementaryQueryOptions,
  SupplementaryQueryType,
  ToggleFilterAction,
} from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';
import { lastValueFrom, map, Observable, of } from 'rxjs';

import { AdHocFilterError, applyAdHocFilters, tagKeys, tagValues, valuesFieldOf } from './adhoc';
import { conversationEvents, prepareAnnotation } from './annotations';
import { AnnotationQueryEditor } from './components/AnnotationQueryEditor';
import { interpolateBot } from './editor/bots';
import { migrateQuery } from './editor/queryModel';
import { markRunningBuckets } from './runningBucket';
import { resolveTimeZone, withRequestTimeZone } from './timezone';
import {
  contextRequest,
  modifyQuery,
  QUERY_MODIFICATIONS,
  queryHasFilter,
  supplementaryQuery,
  toggleQueryFilter,
  trimContext,
} from './explore';
import { AgentXVariableSupport } from './variables';

import { AgentXOptions, AgentXQuery, DEFAULT_QUERY, QueryFilters, ValuesField } from './types';

/**
 * The value a multi-value variable's "All" stands for in list filters: no filter.
 * ("All locales" is not the list of known locales: that would drop conversations
 * without one, and "all tags" would ask for conversations carrying every tag.)
 */
export const ALL_VALUES = '__all__';

export class DataSource
  extends DataSourceWithBackend<AgentXQuery, AgentXOptions>
  implements
    DataSourceWithQueryModificationSupport<AgentXQuery>,
    DataSourceWithToggleableQueryFiltersSupport<AgentXQuery>,
    DataSourceWithLogsContextSupport<AgentXQuery>,
    DataSourceWithSupplementaryQueriesSupport<AgentXQuery>
{
  constructor(instanceSettings: DataSourceInstanceSettings<AgentXOptions>) {
    super(instanceSettings);
    this.variables = new AgentXVariableSupport(this, instanceSettings.jsonData?.defaultBot);
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

  /**
   * Buckets follow the dashboard's time zone unless a query names its own; a newest
   * bucket that is still being filled says so on the panel.
   */
  query(request: DataQueryRequest<AgentXQuery>): Observable<DataQueryResponse> {
    const zoned = withRequestTimeZone(request);
    // The zone each query's buckets follow, a variable's value included, so that
    // the newest bucket's length is the backend's on a day the clock changes.
    const srv = getTemplateSrv();
    const zones = Object.fromEntries(
      zoned.targets.map((q) => [q.refId, q.timezone && srv.replace(q.timezone, request.scopedVars)])
    );
    return super.query(zoned).pipe(map((r) => markRunningBuckets(r, Date.now(), zones)));
  }

  filterQuery(query: AgentXQuery): boolean {
    return !query.hide && !!query.queryType;
  }

  applyTemplateVariables(saved: AgentXQuery, scopedVars: ScopedVars, adhoc?: AdHocVariableFilter[]): AgentXQuery {
    return applyAdHocFilters(this.interpolate(saved, scopedVars), adhoc);
  }

  /**
   * A panel opened in Explore takes the dashboard's filters into its queries; one
   * this data source cannot apply is left out there (the panel says why), so the
   * link still opens.
   */
  interpolateVariablesInQueries(
    queries: AgentXQuery[],
    scopedVars: ScopedVars,
    adhoc?: AdHocVariableFilter[]
  ): AgentXQuery[] {
    return queries.map((q) => {
      try {
        return this.applyTemplateVariables(q, scopedVars, adhoc);
      } catch (e) {
        if (!(e instanceof AdHocFilterError)) {
          throw e;
        }
        return this.applyTemplateVariables(q, scopedVars);
      }
    });
  }

  private interpolate(saved: AgentXQuery, scopedVars: ScopedVars): AgentXQuery {
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
      excludeLocales: many(query.filters.excludeLocales),
      types: many(query.filters.types),
      excludeTypes: many(query.filters.excludeTypes),
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

  /** Ad hoc filter keys: tag, locale, type and metadata.<key> for each key seen in the last day. */
  async getTagKeys(_options?: DataSourceGetTagKeysOptions<AgentXQuery>): Promise<MetricFindValue[]> {
    return tagKeys(await this.getValues('metadataKey'));
  }

  /** An ad hoc key's values in the last day, (none) included. */
  async getTagValues(options: DataSourceGetTagValuesOptions<AgentXQuery>): Promise<MetricFindValue[]> {
    const v = valuesFieldOf(options.key);
    if (!v) {
      return [];
    }
    return tagValues(await this.getValues(v.field, undefined, v.metadataKey));
  }

  modifyQuery(query: AgentXQuery, action: QueryFixAction): AgentXQuery {
    return modifyQuery(query, action);
  }

  getSupportedQueryModifications(): string[] {
    return QUERY_MODIFICATIONS;
  }

  toggleQueryFilter(query: AgentXQuery, filter: ToggleFilterAction): AgentXQuery {
    return toggleQueryFilter(query, filter);
  }

  queryHasFilter(query: AgentXQuery, filter: QueryFilterOptions): boolean {
    return queryHasFilter(query, filter);
  }

  /** The messages before or after a transcript line in its conversation. */
  async getLogRowContext(
    row: LogRowModel,
    options?: LogRowContextOptions,
    origin?: AgentXQuery
  ): Promise<DataQueryResponse> {
    const req = contextRequest(row, options, origin);
    if (!req) {
      return { data: [] };
    }
    const from = dateTime(req.from);
    const to = dateTime(req.to);
    const request: DataQueryRequest<AgentXQuery> = {
      requestId: req.query.refId,
      app: CoreApp.Explore,
      interval: '1m',
      intervalMs: 60000,
      range: { from, to, raw: { from, to } },
      scopedVars: options?.scopedVars ?? {},
      targets: [req.query],
      timezone: 'UTC',
      startTime: Date.now(),
    };
    const res = await lastValueFrom(this.query(request));
    const ids = row.dataFrame.fields.find((f) => f.name === 'id')?.values;
    return trimContext(res, row.rowId ?? ids?.[row.rowIndex], req);
  }

  getSupportedSupplementaryQueryTypes(): SupplementaryQueryType[] {
    return [SupplementaryQueryType.LogsVolume];
  }

  getSupplementaryQuery(options: SupplementaryQueryOptions, query: AgentXQuery): AgentXQuery | undefined {
    return supplementaryQuery(options, query);
  }

  getSupplementaryRequest(
    type: SupplementaryQueryType,
    request: DataQueryRequest<AgentXQuery>
  ): DataQueryRequest<AgentXQuery> | undefined {
    const targets = request.targets
      .filter((t) => !t.hide)
      .map((t) => supplementaryQuery({ type } as SupplementaryQueryOptions, t))
      .filter((t): t is AgentXQuery => !!t);
    return targets.length ? { ...request, requestId: `${request.requestId}_log-volume`, targets } : undefined;
  }
}
