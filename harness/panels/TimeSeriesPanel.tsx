// A time series panel: @grafana/ui's TimeSeries over the panel's time range, with
// the panel's legend options (Grafana's hover tooltip has nothing to show in a picture).
import React from 'react';
import { TimeSeries } from '@grafana/ui';
import { LegendDisplayMode, VizLegendOptions } from '@grafana/schema';

import { PanelView } from '../../src/preview/panelPreview';
import { timeRangeOf } from './timeRange';

export function TimeSeriesPanel({ view, width, height }: { view: PanelView; width: number; height: number }) {
  const legend: VizLegendOptions = {
    displayMode: LegendDisplayMode.List,
    placement: 'bottom',
    showLegend: true,
    calcs: [],
    ...(view.panel.options?.legend ?? {}),
  };
  return (
    <TimeSeries
      frames={view.frames}
      width={width}
      height={height}
      timeRange={timeRangeOf(view)}
      timeZone="utc"
      legend={legend}
    />
  );
}
