// A bar gauge panel as Grafana's BarGaugePanel draws it: one BarGauge per value,
// laid out by VizRepeater, each with its field's display processor, which is what
// colours a cell by its threshold or colour scheme.
import React from 'react';
import {
  DisplayValueAlignmentFactors,
  FieldDisplay,
  getDisplayValueAlignmentFactors,
  VizOrientation,
} from '@grafana/data';
import { BarGauge, useTheme2, VizRepeater } from '@grafana/ui';
import { BarGaugeDisplayMode, BarGaugeNamePlacement, BarGaugeSizing, BarGaugeValueMode } from '@grafana/schema';

import { PanelView } from '../../src/preview/panelPreview';

export function BarGaugePanel({ view, width, height }: { view: PanelView; width: number; height: number }) {
  const theme = useTheme2();
  const o = view.panel.options ?? {};
  const displayMode = (o.displayMode as BarGaugeDisplayMode) ?? BarGaugeDisplayMode.Gradient;
  const orientation = (o.orientation as VizOrientation) ?? VizOrientation.Auto;
  const manual = o.sizing === BarGaugeSizing.Manual;
  // Grafana's defaults for automatic sizing, and the panel's own bounds for manual.
  const minVizWidth = manual ? (o.minVizWidth ?? 8) : 8;
  const minVizHeight = manual ? (o.minVizHeight ?? 16) : 16;
  const maxVizHeight = manual ? (o.maxVizHeight ?? 300) : 300;
  const itemSpacing = displayMode === BarGaugeDisplayMode.Lcd ? 2 : 10;
  const count = view.values.length;
  // More bars than fit: Grafana lets them overflow into a scrolling list.
  const isOverflow =
    orientation === VizOrientation.Vertical
      ? count * (minVizWidth + itemSpacing) > width
      : count * (minVizHeight + itemSpacing) > height;
  return (
    <VizRepeater<FieldDisplay, DisplayValueAlignmentFactors>
      source={view.frames}
      getValues={() => view.values}
      getAlignmentFactors={getDisplayValueAlignmentFactors}
      renderValue={({ value, width: w, height: h, alignmentFactors: factors, orientation: or, count: n }) => {
        const processor =
          value.view && value.colIndex !== undefined ? value.view.getFieldDisplayProcessor(value.colIndex) : undefined;
        // A single unnamed value shows no name, as in Grafana.
        const display = n === 1 && !value.field.displayName ? { ...value.display, title: undefined } : value.display;
        return (
          <BarGauge
            theme={theme}
            value={display}
            field={value.field}
            display={processor}
            width={w}
            height={h}
            orientation={or}
            text={o.text}
            itemSpacing={itemSpacing}
            displayMode={displayMode}
            alignmentFactors={n > 1 ? factors : undefined}
            showUnfilled={o.showUnfilled}
            valueDisplayMode={o.valueMode as BarGaugeValueMode}
            namePlacement={o.namePlacement as BarGaugeNamePlacement}
            isOverflow={isOverflow}
          />
        );
      }}
      width={width}
      height={height}
      renderCounter={0}
      itemSpacing={itemSpacing}
      orientation={orientation}
      minVizWidth={minVizWidth}
      minVizHeight={minVizHeight}
      maxVizHeight={maxVizHeight}
    />
  );
}
