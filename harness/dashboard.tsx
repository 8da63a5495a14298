// The provisioned dashboard drawn with @grafana/ui's visualisations, from what the
// backend answered (harness/preview/answers.json, written by pkg/cmd/preview) and
// what src/preview computes with @grafana/data: a picture of the demo without a
// Grafana server. Each panel type is drawn with the component Grafana's panel of
// that type uses (harness/panels/); Grafana's bar chart and alert list panels live
// in Grafana itself, so they are drawn from the parts @grafana/ui has for them.
import React, { useEffect, useMemo, useState } from 'react';
import { LoadingState } from '@grafana/data';
import { PanelChrome } from '@grafana/ui';

import { alertList } from '../src/preview/alertList';
import { evaluateRule } from '../src/preview/alertRules';
import { allPanels, Answers, DATA_PANELS, PanelModel, PanelView, previewPanel } from '../src/preview/panelPreview';
import { AlertListPanel } from './panels/AlertListPanel';
import { BarChartPanel } from './panels/BarChartPanel';
import { BarGaugePanel } from './panels/BarGaugePanel';
import { StatPanel } from './panels/StatPanel';
import { TablePanel } from './panels/TablePanel';
import { TimeSeriesPanel } from './panels/TimeSeriesPanel';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const answers: Answers = require('./preview/answers.json');

// Grafana's grid: 24 columns, rows of 30 px with 8 px between panels.
const WIDTH = 1600;
const ROW = 30;
const GAP = 8;
const col = (WIDTH + GAP) / 24;

export function Dashboard() {
  const [views, setViews] = useState<Record<number, PanelView>>({});
  useEffect(() => {
    (async () => {
      const out: Record<number, PanelView> = {};
      for (const p of allPanels(answers).filter((p) => DATA_PANELS.includes(p.type))) {
        out[p.id] = await previewPanel(answers, p);
      }
      setViews(out);
    })();
  }, []);
  const ready = Object.keys(views).length > 0;
  const panels = allPanels(answers);
  const height = Math.max(...panels.map((p) => p.gridPos.y + p.gridPos.h)) * (ROW + GAP);
  return (
    <div
      style={{ position: 'relative', width: WIDTH, height }}
      data-testid={ready ? 'dashboard-ready' : 'dashboard-loading'}
    >
      {panels.map((p) => {
        const style: React.CSSProperties = {
          position: 'absolute',
          left: p.gridPos.x * col,
          top: p.gridPos.y * (ROW + GAP),
          width: p.gridPos.w * col - GAP,
          height: p.gridPos.h * (ROW + GAP) - GAP,
        };
        if (p.type === 'row') {
          return (
            <h2 key={p.id} style={{ ...style, margin: 0, fontSize: 16, lineHeight: `${ROW}px` }}>
              {p.title}
            </h2>
          );
        }
        return (
          <div key={p.id} style={style} data-testid={`panel-${p.id}`} aria-label={p.title}>
            <PanelChrome
              title={p.title}
              description={(p as { description?: string }).description}
              width={style.width as number}
              height={style.height as number}
              loadingState={views[p.id] || !DATA_PANELS.includes(p.type) ? LoadingState.Done : LoadingState.Loading}
              statusMessage={views[p.id]?.errors.join('; ') || undefined}
              titleItems={p.timeShift ? <span style={{ fontSize: 12 }}>timeshift -{p.timeShift}</span> : undefined}
            >
              {(w, h) =>
                views[p.id] ? (
                  <Viz view={views[p.id]} width={w} height={h} />
                ) : DATA_PANELS.includes(p.type) ? null : (
                  <NoQueryPanel panel={p} width={w} height={h} />
                )
              }
            </PanelChrome>
          </div>
        );
      })}
    </div>
  );
}

function Viz({ view, width, height }: { view: PanelView; width: number; height: number }) {
  switch (view.panel.type) {
    case 'stat':
      return <StatPanel view={view} width={width} height={height} />;
    case 'bargauge':
      return <BarGaugePanel view={view} width={width} height={height} />;
    case 'timeseries':
      return <TimeSeriesPanel view={view} width={width} height={height} />;
    case 'table':
      return <TablePanel view={view} width={width} height={height} />;
    case 'barchart':
      return <BarChartPanel view={view} width={width} height={height} />;
    default:
      return <div style={{ padding: 8 }}>The preview does not draw panels of type {view.panel.type}.</div>;
  }
}

/** A panel without queries: the alert list evaluates the provisioned rules; anything else is named as not drawn. */
function NoQueryPanel({ panel, width, height }: { panel: PanelModel; width: number; height: number }) {
  const listed = useMemo(() => {
    try {
      if (panel.type !== 'alertlist') {
        return { error: `The preview does not draw panels of type ${panel.type}.` };
      }
      const states = (answers.rules ?? []).map(evaluateRule);
      return { groups: alertList(states, panel.options ?? {}, answers.dashboard.uid ?? '') };
    } catch (e) {
      return { error: String(e instanceof Error ? e.message : e) };
    }
  }, [panel]);
  if (listed.error !== undefined) {
    return (
      <div style={{ padding: 8 }} data-testid="preview-error">
        {listed.error}
      </div>
    );
  }
  return <AlertListPanel groups={listed.groups!} width={width} height={height} />;
}
