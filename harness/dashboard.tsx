// The provisioned dashboard drawn with @grafana/ui's visualisations, from what the
// backend answered (harness/preview/answers.json, written by pkg/cmd/preview) and
// what src/preview computes with @grafana/data: a picture of the demo without a
// Grafana server. Grafana's bar chart and alert list panels live in Grafana itself,
// not in @grafana/ui; they are drawn as a table and a note.
import React, { useEffect, useState } from 'react';
import { dateTime, FieldDisplay, LoadingState, VizOrientation } from '@grafana/data';
import {
  BarGauge,
  BigValue,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  PanelChrome,
  Table,
  TimeSeries,
  useTheme2,
} from '@grafana/ui';
import { BarGaugeDisplayMode, BarGaugeNamePlacement, BarGaugeValueMode, LegendDisplayMode } from '@grafana/schema';

import { allPanels, Answers, DATA_PANELS, PanelView, previewPanel } from '../src/preview/panelPreview';
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
              {(w, h) => (views[p.id] ? <Viz view={views[p.id]} width={w} height={h} /> : <Note type={p.type} />)}
            </PanelChrome>
          </div>
        );
      })}
    </div>
  );
}

function Note({ type }: { type: string }) {
  if (type === 'alertlist') {
    return (
      <div style={{ padding: 8 }}>
        Grafana lists the state of the provisioned rules here: No conversations for 15 minutes, Live-chat hand-off rate
        above 30%, Resolution rate below 35%.
      </div>
    );
  }
  return null;
}

function Viz({ view, width, height }: { view: PanelView; width: number; height: number }) {
  const theme = useTheme2();
  const o = view.panel.options ?? {};
  switch (view.panel.type) {
    case 'stat':
      return (
        <Stack values={view.values} width={width} height={height}>
          {(v, w, h) => (
            <BigValue
              theme={theme}
              value={v.display}
              width={w}
              height={h}
              colorMode={o.colorMode as BigValueColorMode}
              graphMode={BigValueGraphMode.None}
              justifyMode={BigValueJustifyMode.Center}
              textMode={view.values.length > 1 ? BigValueTextMode.ValueAndName : BigValueTextMode.Value}
            />
          )}
        </Stack>
      );
    case 'bargauge':
      return (
        <Stack values={view.values} width={width} height={height}>
          {(v, w, h) => (
            <BarGauge
              theme={theme}
              value={v.display}
              field={v.field}
              width={w}
              height={h}
              orientation={VizOrientation.Horizontal}
              displayMode={o.displayMode as BarGaugeDisplayMode}
              valueDisplayMode={o.valueMode as BarGaugeValueMode}
              namePlacement={o.namePlacement as BarGaugeNamePlacement}
              showUnfilled={o.showUnfilled}
              isOverflow={false}
            />
          )}
        </Stack>
      );
    case 'timeseries': {
      const range = answers.panels[String(view.panel.id)].range;
      const from = dateTime(range.from);
      const to = dateTime(range.to);
      return (
        <TimeSeries
          frames={view.frames}
          width={width}
          height={height}
          timeRange={{ from, to, raw: { from, to } }}
          timeZone="utc"
          legend={{ displayMode: LegendDisplayMode.List, placement: 'bottom', showLegend: true, calcs: [] }}
        />
      );
    }
    default:
      // Tables, and the histogram's bar chart, which only Grafana itself draws.
      return <Table data={view.frames[0]} width={width} height={height} />;
  }
}

/** Lays values out like Grafana's stat and bar gauge panels: side by side or one under another. */
function Stack({
  values,
  width,
  height,
  children,
}: {
  values: FieldDisplay[];
  width: number;
  height: number;
  children: (v: FieldDisplay, w: number, h: number) => React.ReactNode;
}) {
  const n = Math.max(values.length, 1);
  const h = Math.floor((height - (n - 1) * 4) / n);
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
      {values.map((v, i) => (
        <div key={i}>{children(v, width, h)}</div>
      ))}
    </div>
  );
}
