// The alert rules' evaluation on answers made up for each case: what Grafana's
// alerting gives for a reduce and a threshold, no data, a failed query, a pending
// period, and an error for what the preview does not know.
import { dataFrameToJSON, FieldType, toDataFrame } from '@grafana/data';

import { alertList, labelMatchers } from './alertList';
import { durationSeconds, evaluateRule, reduce, RuleAnswer } from './alertRules';

function series(values: Array<number | null>, labels?: Record<string, string>) {
  return dataFrameToJSON(
    toDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: values.map((_, i) => i * 1000) },
        { name: 'value', type: FieldType.number, values, labels },
      ],
    })
  );
}

function rule(
  patch: Partial<RuleAnswer> & {
    frames?: Array<ReturnType<typeof series>>;
    error?: string;
    reduce?: object;
    threshold?: object;
  }
): RuleAnswer {
  const { frames = [], error, reduce: r, threshold, ...rest } = patch;
  return {
    uid: 'r',
    title: 'Rule',
    folder: 'F',
    group: 'G',
    condition: 'C',
    for: '0s',
    noDataState: 'NoData',
    execErrState: 'Error',
    labels: { team: 'support' },
    data: [
      { refId: 'A', datasourceUid: 'ds', relativeTimeRange: { from: 600, to: 0 }, model: {}, frames, error },
      {
        refId: 'B',
        datasourceUid: '__expr__',
        relativeTimeRange: { from: 0, to: 0 },
        model: { refId: 'B', type: 'reduce', expression: 'A', reducer: 'last', ...r },
      },
      {
        refId: 'C',
        datasourceUid: '__expr__',
        relativeTimeRange: { from: 0, to: 0 },
        model: {
          refId: 'C',
          type: 'threshold',
          expression: 'B',
          conditions: [{ evaluator: { type: 'gt', params: [30] } }],
          ...threshold,
        },
      },
    ],
    ...rest,
  };
}

test('a label set above the threshold fires, one below is normal, each with its labels', () => {
  const s = evaluateRule(
    rule({ frames: [series([10, 40], { locale: 'de_de' }), series([50, 20], { locale: 'en_us' })] })
  );
  expect(s.instances).toEqual([
    { labels: { team: 'support', locale: 'de_de' }, value: 1, state: 'Firing' },
    { labels: { team: 'support', locale: 'en_us' }, value: 0, state: 'Normal' },
  ]);
  expect(s.state).toBe('Firing');
});

test('with a pending period a first firing evaluation is pending', () => {
  const s = evaluateRule(rule({ for: '15m', frames: [series([40])] }));
  expect(s.instances.map((i) => i.state)).toEqual(['Pending']);
  expect(s.state).toBe('Pending');
});

test('no series takes the no-data state; a failed query the error state', () => {
  expect(evaluateRule(rule({ noDataState: 'NoData' })).state).toBe('NoData');
  expect(evaluateRule(rule({ noDataState: 'OK' })).state).toBe('Normal');
  expect(evaluateRule(rule({ noDataState: 'Alerting' })).state).toBe('Firing');
  expect(evaluateRule(rule({ noDataState: 'Alerting', for: '5m' })).state).toBe('Pending');
  const failed = evaluateRule(rule({ error: 'upstream 503' }));
  expect(failed.state).toBe('Error');
  expect(failed.instances[0]).toMatchObject({ error: 'upstream 503', labels: { ref_id: 'A', datasource_uid: 'ds' } });
  expect(evaluateRule(rule({ error: 'upstream 503', execErrState: 'OK' })).state).toBe('Normal');
});

test('reducers and their modes work as in Grafana: strict gives NaN for a null, dropNN drops it', () => {
  expect(reduce([1, null, 3], 'sum')).toBeNaN();
  expect(reduce([1, null, 3], 'sum', { mode: 'dropNN' })).toBe(4);
  expect(reduce([1, null, 3], 'last', { mode: 'replaceNN', replaceWithValue: 7 })).toBe(3);
  expect(reduce([1, 3, null], 'last', { mode: 'replaceNN', replaceWithValue: 7 })).toBe(7);
  expect(reduce([2, 4], 'mean')).toBe(3);
  expect(reduce([2, null], 'count')).toBe(2);
});

test('what the preview does not evaluate is an error, never a guess', () => {
  expect(() => evaluateRule(rule({ frames: [series([1])], reduce: { type: 'math', expression: '$A * 2' } }))).toThrow(
    /type "math"/
  );
  expect(() => evaluateRule(rule({ frames: [series([1])], reduce: { reducer: 'median' } }))).toThrow(
    /reducer "median"/
  );
  expect(() =>
    evaluateRule(
      rule({
        frames: [series([1])],
        threshold: {
          conditions: [{ evaluator: { type: 'gt', params: [1] }, unloadEvaluator: { type: 'lt', params: [0] } }],
        },
      })
    )
  ).toThrow(/recovery threshold/);
  expect(() => evaluateRule(rule({ frames: [series([1, null])], reduce: { reducer: 'sum' } }))).toThrow(/NaN/);
  expect(() => evaluateRule(rule({ noDataState: 'Sometimes' }))).toThrow(/noDataState/);
  expect(() => durationSeconds('15 minutes')).toThrow();
  expect(durationSeconds('1h30m')).toBe(5400);
});

test("the alert list applies the panel's name, label and state filters, sort order and limit", () => {
  const states = [
    evaluateRule(rule({ title: 'b rule', frames: [series([40])] })),
    evaluateRule(rule({ title: 'a rule', frames: [series([10])] })),
    evaluateRule(rule({ title: 'c rule', labels: { team: 'other' }, frames: [series([40])] })),
  ];
  const titles = (o: object) => alertList(states, o, 'd')[0].rules.map((r) => `${r.title}:${r.state}`);
  expect(titles({ alertInstanceLabelFilter: '{team="support"}' })).toEqual(['a rule:Normal', 'b rule:Firing']);
  expect(titles({ sortOrder: 2 })).toEqual(['c rule:Firing', 'b rule:Firing', 'a rule:Normal']);
  expect(titles({ stateFilter: { firing: true } })).toEqual(['b rule:Firing', 'c rule:Firing']);
  expect(titles({ alertName: 'A R' })).toEqual(['a rule:Normal']);
  expect(titles({ maxItems: 1 })).toEqual(['a rule:Normal']);
  expect(() => titles({ sortOrder: 3 })).toThrow(/sort/);
  expect(() => labelMatchers('team: support')).toThrow(/label matcher/);
  expect(labelMatchers('{team=~"sup.*", bot!="x"}').every((m) => m({ team: 'support', bot: 'y' }))).toBe(true);
});
