import { CoreApp } from '@grafana/data';

import { QUERY_TYPE_SPECS, QueryTypeSpec } from '../generated/queryModel';
import { AgentXQuery, QueryType } from '../types';
import { alertTypes, missing, shows, Specs, switchType } from './queryModel';
import { allowedTypes, isRunnable, queryProblems } from './validate';

/**
 * A type only this test knows, as the generator would write it: the average of a
 * numeric metadata key per bucket. Every editor rule below reads it from the
 * table it is given, so a type added to the Go registry needs no TypeScript.
 */
const TEST_TYPE = 'metadataAverage' as QueryType;
const testSpec: QueryTypeSpec = {
  label: 'Metadata average',
  description: 'Time series: average of a numeric metadata key',
  kind: 'series',
  reads: 'conversations',
  uses: ['groupBy', 'bucket', 'metadataKey'],
  groupBy: ['tag', 'locale', 'bot'],
  stats: [],
  needs: [{ param: 'metadataKey' }],
  keeps: ['groupBy', 'bucket', 'timeShift', 'timezone', 'metadataKey'],
  alerting: true,
  variablesOnly: false,
  example: { title: 'Average guide nodes per hour', query: { metadataKey: 'guideNodeCount', bucket: '1h' } },
};
const specs: Specs = { ...QUERY_TYPE_SPECS, [TEST_TYPE]: testSpec };

describe('a type the editor learns from the registry alone', () => {
  it('shows its metadata key always, and a grouped type only for groupBy metadata', () => {
    expect(shows('metadataKey', { refId: 'A', queryType: TEST_TYPE }, specs)).toBe(true);
    expect(shows('metadataKey', { refId: 'A', queryType: 'conversationVolume' }, specs)).toBe(false);
    expect(shows('metadataKey', { refId: 'A', queryType: 'conversationVolume', groupBy: 'metadata' }, specs)).toBe(
      true
    );
    expect(shows('bucket', { refId: 'A', queryType: TEST_TYPE }, specs)).toBe(true);
    expect(shows('limit', { refId: 'A', queryType: TEST_TYPE }, specs)).toBe(false);
  });

  it('refuses to run it without its metadata key', () => {
    const q: AgentXQuery = { refId: 'A', queryType: TEST_TYPE, bucket: '1h' };
    expect(missing(q, specs)).toEqual(['metadataKey']);
    const p = queryProblems(q, undefined, specs);
    expect(p.metadataKey).toBe('Pick the metadata key');
    expect(isRunnable(p)).toBe(false);
    expect(isRunnable(queryProblems({ ...q, metadataKey: 'score' }, undefined, specs))).toBe(true);
    expect(queryProblems({ ...q, metadataKey: 'score', bucket: '30s' }, undefined, specs).bucket).toBe(
      'A bucket is 1m to 7d'
    );
  });

  it('keeps its metadata key on a switch to it, and drops it on a switch away', () => {
    const from: AgentXQuery = {
      refId: 'A',
      queryType: 'conversationCounts',
      groupBy: 'locale',
      metadataKey: 'score',
      limit: 5,
    };
    expect(switchType(from, TEST_TYPE, specs)).toEqual({
      refId: 'A',
      queryType: TEST_TYPE,
      groupBy: 'locale',
      metadataKey: 'score',
    });
    const back = switchType(
      { refId: 'A', queryType: TEST_TYPE, metadataKey: 'score', bucket: '1h' },
      'conversations',
      specs
    );
    expect(back).toEqual({ refId: 'A', queryType: 'conversations' });
  });

  it('is offered in alert rules because its entry says so', () => {
    expect(alertTypes(specs)).toContain(TEST_TYPE);
    expect(allowedTypes(CoreApp.UnifiedAlerting, specs)).toContain(TEST_TYPE);
    expect(
      allowedTypes(CoreApp.UnifiedAlerting, { ...specs, [TEST_TYPE]: { ...testSpec, alerting: false } })
    ).not.toContain(TEST_TYPE);
    const refused = queryProblems({ refId: 'A', queryType: 'messages' }, CoreApp.UnifiedAlerting, specs).queryType;
    expect(refused).toMatch(/Metadata average$/);
  });
});
