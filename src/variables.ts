import { CustomVariableSupport, DataFrame, DataQueryRequest, DataQueryResponse } from '@grafana/data';
import { Observable, map } from 'rxjs';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';
import { AgentXQuery } from './types';

/** Template variables run a `values` query through the backend over the dashboard's range. */
export class AgentXVariableSupport extends CustomVariableSupport<DataSource, AgentXQuery> {
  editor = VariableQueryEditor;

  constructor(
    private readonly datasource: DataSource,
    private readonly defaultBot?: string
  ) {
    super();
  }

  query(request: DataQueryRequest<AgentXQuery>): Observable<DataQueryResponse> {
    const targets = request.targets.map((t) => ({ ...t, queryType: 'values' as const, field: t.field ?? 'tag' }));
    const botRefIds = new Set(targets.filter((t) => t.field === 'bot').map((t) => t.refId));
    const defaultBot = this.defaultBot;
    return this.datasource.query({ ...request, targets }).pipe(
      map((r) =>
        defaultBot && botRefIds.size > 0
          ? {
              ...r,
              data: r.data.map((f: DataFrame) => (botRefIds.has(f.refId ?? '') ? defaultFirst(f, defaultBot) : f)),
            }
          : r
      )
    );
  }
}

/**
 * A bot variable lists the data source's default bot first, the rest in the backend's
 * (alphabetical) order: Grafana opens a dashboard on a variable's first option whenever
 * it does not keep the saved one, and the default bot is the one alert rules watch.
 */
export function defaultFirst(frame: DataFrame, defaultBot: string): DataFrame {
  const fields = frame.fields.map((f, i) => {
    if (i !== 0 || !f.values.includes(defaultBot)) {
      return f;
    }
    return { ...f, values: [defaultBot, ...f.values.filter((v: unknown) => v !== defaultBot)] };
  });
  return { ...frame, fields };
}
