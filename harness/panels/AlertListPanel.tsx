// An alert list panel in its list view: each rule the panel's options let through,
// with its state and the state of each of its label sets, as the rules evaluate on
// the backend's answers (src/preview/alertRules.ts). Drawn with @grafana/ui's icons
// and theme colours in the layout of Grafana's panel, not with its code.
import React from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { Icon, IconName, useTheme2 } from '@grafana/ui';

import { AlertListGroup } from '../../src/preview/alertList';
import { AlertState } from '../../src/preview/alertRules';

const ICONS: Record<AlertState, IconName> = {
  Firing: 'fire',
  Pending: 'hourglass',
  Normal: 'check',
  NoData: 'exclamation-triangle',
  Error: 'exclamation-triangle',
};

function stateColour(theme: GrafanaTheme2, state: AlertState): string {
  switch (state) {
    case 'Firing':
    case 'Error':
      return theme.colors.error.text;
    case 'Pending':
    case 'NoData':
      return theme.colors.warning.text;
    default:
      return theme.colors.success.text;
  }
}

export function AlertListPanel({ groups, width, height }: { groups: AlertListGroup[]; width: number; height: number }) {
  const theme = useTheme2();
  const rules = groups.flatMap((g) => g.rules);
  if (rules.length === 0) {
    return <div style={{ padding: 8 }}>No alerts matching filters</div>;
  }
  return (
    <div style={{ width, height, overflow: 'auto' }} data-testid="alert-list">
      {groups.map((g, gi) => (
        <div key={gi}>
          {Object.keys(g.labels).length > 0 && (
            <div style={{ fontWeight: theme.typography.fontWeightMedium, margin: '4px 0' }}>
              {Object.entries(g.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(', ')}
            </div>
          )}
          {g.rules.map((r) => (
            <div
              key={r.title}
              data-testid="alert-rule"
              data-state={r.state}
              style={{
                display: 'flex',
                gap: 8,
                padding: '6px 0',
                borderBottom: `1px solid ${theme.colors.border.weak}`,
              }}
            >
              <Icon name={ICONS[r.state]} style={{ color: stateColour(theme, r.state), marginTop: 2 }} />
              <div style={{ minWidth: 0, flex: 1 }}>
                <div style={{ fontWeight: theme.typography.fontWeightMedium }}>{r.title}</div>
                <div style={{ color: stateColour(theme, r.state), fontSize: theme.typography.bodySmall.fontSize }}>
                  {r.state}
                  {r.instances.length > 1 ? ` · ${r.instances.length} instances` : ''}
                </div>
                {(r.instances.length > 1 || instanceName(r.instances[0].labels, r.ruleLabels)) &&
                  r.instances.map((i, ii) => (
                    <div
                      key={ii}
                      data-testid="alert-instance"
                      data-state={i.state}
                      data-labels={JSON.stringify(i.labels)}
                      style={{ fontSize: theme.typography.bodySmall.fontSize, display: 'flex', gap: 6 }}
                    >
                      <span style={{ color: stateColour(theme, i.state), minWidth: 56 }}>{i.state}</span>
                      <span
                        style={{ color: theme.colors.text.secondary, overflow: 'hidden', textOverflow: 'ellipsis' }}
                      >
                        {instanceName(i.labels, r.ruleLabels)}
                      </span>
                    </div>
                  ))}
              </div>
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}

/** The labels an instance has beyond its rule's own, which is what tells instances apart. */
function instanceName(labels: Record<string, string>, ruleLabels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([k, v]) => ruleLabels[k] !== v)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}
