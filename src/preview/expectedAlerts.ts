// The alert rules' states worked out directly from the backend's numbers, for the
// rules this project provisions (a reduce, then a threshold): what the browser's
// alert list must show. Written apart from src/preview/alertRules.ts on purpose, so
// that the one checks the other. A rule of another shape fails the test.
interface Rule {
  title: string;
  condition: string;
  for: string;
  labels?: Record<string, string>;
  data: Array<{ refId: string; datasourceUid: string; model: any; frames?: any[]; error?: string }>;
}

export interface Expected {
  title: string;
  state: string;
  instances: Array<{ labels: Record<string, string>; state: string }>;
}

export function expectedAlertStates(rules: Rule[]): Expected[] {
  return rules
    .map((r) => {
      const [query, reduce, threshold] = r.data;
      if (
        r.data.length !== 3 ||
        query.error ||
        reduce.model.type !== 'reduce' ||
        threshold.model.type !== 'threshold' ||
        r.condition !== threshold.refId
      ) {
        throw new Error(`rule ${r.title} is not a query, a reduce and a threshold: this test does not know its state`);
      }
      const pending = !/^0[a-z]*$/.test(r.for);
      const { type, params } = threshold.model.conditions[0].evaluator;
      const instances = (query.frames ?? []).flatMap((f: any) =>
        f.schema.fields.flatMap((field: any, i: number) => {
          if (field.type !== 'number') {
            return [];
          }
          const values: number[] = f.data.values[i].filter((v: unknown) => typeof v === 'number');
          const value = reduce.model.reducer === 'sum' ? values.reduce((a, b) => a + b, 0) : values[values.length - 1];
          const fires = type === 'gt' ? value > params[0] : type === 'lt' ? value < params[0] : undefined;
          if (fires === undefined) {
            throw new Error(`rule ${r.title}: this test does not know threshold ${type}`);
          }
          return [
            {
              labels: { ...r.labels, ...(field.labels ?? {}) },
              state: fires ? (pending ? 'Pending' : 'Firing') : 'Normal',
            },
          ];
        })
      );
      const state = ['Firing', 'Pending'].find((s) => instances.some((x: any) => x.state === s)) ?? 'Normal';
      return { title: r.title, state, instances };
    })
    .sort((a, b) => a.title.localeCompare(b.title));
}
