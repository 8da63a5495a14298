import { CustomVariableSupport, DataQueryRequest, DataQueryResponse } from '@grafana/data';
import { Observable } from 'rxjs';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';
import { AgentXQuery } from './types';

/** Template variables run a `values` query through the backend over the dashboard's range. */
export class AgentXVariableSupport extends CustomVariableSupport<DataSource, AgentXQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  query(request: DataQueryRequest<AgentXQuery>): Observable<DataQueryResponse> {
    const targets = request.targets.map((t) => ({ ...t, queryType: 'values' as const, field: t.field ?? 'tag' }));
    return this.datasource.query({ ...request, targets });
  }
}
