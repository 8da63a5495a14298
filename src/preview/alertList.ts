// What Grafana's alert list panel lists, from the rules' evaluated states and the
// panel's options: its name, label, state and dashboard filters, sort order, group
// mode and item limit. An option value the preview does not know is an error.
import { AlertInstance, AlertState, RuleState } from './alertRules';

export interface AlertListOptions {
  viewMode?: string;
  groupMode?: string;
  groupBy?: string[];
  maxItems?: number;
  sortOrder?: number;
  dashboardAlerts?: boolean;
  alertName?: string;
  alertInstanceLabelFilter?: string;
  datasource?: string;
  folder?: unknown;
  stateFilter?: Partial<Record<'firing' | 'pending' | 'noData' | 'normal' | 'error' | 'recovering', boolean>>;
}

export interface AlertListGroup {
  /** the group's labels, empty in the default (ungrouped) mode */
  labels: Record<string, string>;
  rules: Array<{ title: string; state: AlertState; instances: AlertInstance[]; ruleLabels: Record<string, string> }>;
}

const FILTER_KEY: Record<AlertState, keyof NonNullable<AlertListOptions['stateFilter']>> = {
  Firing: 'firing',
  Pending: 'pending',
  NoData: 'noData',
  Normal: 'normal',
  Error: 'error',
};

export function alertList(rules: RuleState[], options: AlertListOptions, dashboardUid: string): AlertListGroup[] {
  if ((options.viewMode ?? 'list') !== 'list') {
    throw new Error(`the preview draws the alert list's list view, not ${JSON.stringify(options.viewMode)}`);
  }
  if ((options.datasource ?? 'grafana') !== 'grafana') {
    throw new Error(`the preview lists Grafana-managed rules, not those of ${JSON.stringify(options.datasource)}`);
  }
  if (options.folder) {
    throw new Error('the preview does not filter the alert list by folder');
  }
  const matchers = labelMatchers(options.alertInstanceLabelFilter ?? '');
  const filter = options.stateFilter ?? {};
  const anyState = !Object.values(filter).some(Boolean);
  const shown = (s: AlertState) => anyState || Boolean(filter[FILTER_KEY[s]]);
  const name = (options.alertName ?? '').toLowerCase();

  let listed = rules
    .filter((r) => !name || r.rule.title.toLowerCase().includes(name))
    .filter((r) => !options.dashboardAlerts || r.rule.annotations?.__dashboardUid__ === dashboardUid)
    .map((r) => ({
      title: r.rule.title,
      state: r.state,
      ruleLabels: r.rule.labels ?? {},
      instances: r.instances.filter((i) => shown(i.state) && matchers.every((m) => m(i.labels))),
    }))
    .filter((r) => r.instances.length > 0 && shown(r.state));

  switch (options.sortOrder ?? 1) {
    case 1:
      listed.sort((a, b) => a.title.localeCompare(b.title));
      break;
    case 2:
      listed.sort((a, b) => b.title.localeCompare(a.title));
      break;
    default:
      throw new Error(`the preview does not sort the alert list by order ${options.sortOrder}`);
  }
  listed = listed.slice(0, options.maxItems ?? 20);

  switch (options.groupMode ?? 'default') {
    case 'default':
      return [{ labels: {}, rules: listed }];
    case 'custom': {
      // One group per value of the groupBy labels; an instance may land in several.
      const groups = new Map<string, AlertListGroup>();
      for (const r of listed) {
        for (const i of r.instances) {
          const labels = Object.fromEntries((options.groupBy ?? []).map((k) => [k, i.labels[k] ?? '']));
          const key = JSON.stringify(labels);
          const g = groups.get(key) ?? { labels, rules: [] };
          const rule = g.rules.find((x) => x.title === r.title) ?? { ...r, instances: [] };
          if (!g.rules.includes(rule)) {
            g.rules.push(rule);
          }
          rule.instances.push(i);
          groups.set(key, g);
        }
      }
      return [...groups.values()];
    }
    default:
      throw new Error(`the preview does not group the alert list by ${JSON.stringify(options.groupMode)}`);
  }
}

/** Prometheus-style label matchers, as the panel's label filter takes them: {a="b", c!~"d.*"}. */
export function labelMatchers(text: string): Array<(labels: Record<string, string>) => boolean> {
  const body = text.trim().replace(/^\{/, '').replace(/\}$/, '').trim();
  if (!body) {
    return [];
  }
  return body.split(',').map((part) => {
    const m = part.trim().match(/^([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"$/);
    if (!m) {
      throw new Error(`the preview does not read the label matcher ${JSON.stringify(part.trim())}`);
    }
    const [, key, op, value] = m;
    const re = new RegExp(`^(?:${value})$`);
    switch (op) {
      case '=':
        return (l) => (l[key] ?? '') === value;
      case '!=':
        return (l) => (l[key] ?? '') !== value;
      case '=~':
        return (l) => re.test(l[key] ?? '');
      default:
        return (l) => !re.test(l[key] ?? '');
    }
  });
}
