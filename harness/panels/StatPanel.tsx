// A stat panel as Grafana's StatPanel draws it: one BigValue per reduced value,
// laid out by VizRepeater, with the panel's text, colour, graph and justify modes.
import React from 'react';
import { FieldDisplay, getDisplayValueAlignmentFactors, VizOrientation } from '@grafana/data';
import {
  BigValue,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  useTheme2,
  VizRepeater,
} from '@grafana/ui';

import { PanelView } from '../../src/preview/panelPreview';
import { timeRangeOf } from './timeRange';

export function StatPanel({ view, width, height }: { view: PanelView; width: number; height: number }) {
  const theme = useTheme2();
  const o = view.panel.options ?? {};
  const timeRange = timeRangeOf(view);
  // Grafana names the value when the panel asks for it by its text mode "auto" and
  // the field has a display name of its own, or the panel has no title.
  let textMode = (o.textMode as BigValueTextMode) ?? BigValueTextMode.Auto;
  if (textMode === BigValueTextMode.Auto && (view.panel.fieldConfig?.defaults?.displayName || !view.panel.title)) {
    textMode = BigValueTextMode.ValueAndName;
  }
  return (
    <VizRepeater<FieldDisplay, ReturnType<typeof getDisplayValueAlignmentFactors>>
      source={view.frames}
      getValues={() => view.values}
      getAlignmentFactors={getDisplayValueAlignmentFactors}
      renderValue={({ value, width: w, height: h, alignmentFactors, count }) => (
        <BigValue
          theme={theme}
          value={value.display}
          count={count}
          sparkline={value.sparkline ? { ...value.sparkline, timeRange } : undefined}
          width={w}
          height={h}
          colorMode={(o.colorMode as BigValueColorMode) ?? BigValueColorMode.Value}
          graphMode={(o.graphMode as BigValueGraphMode) ?? BigValueGraphMode.Area}
          justifyMode={(o.justifyMode as BigValueJustifyMode) ?? BigValueJustifyMode.Auto}
          textMode={textMode}
          text={o.text}
          alignmentFactors={alignmentFactors}
          percentChangeColorMode={o.percentChangeColorMode}
          disableWideLayout={o.wideLayout === false}
        />
      )}
      width={width}
      height={height}
      renderCounter={0}
      itemSpacing={3}
      autoGrid={true}
      orientation={(o.orientation as VizOrientation) ?? VizOrientation.Auto}
      minVizWidth={o.minVizWidth}
      minVizHeight={o.minVizHeight}
      maxVizHeight={o.maxVizHeight}
    />
  );
}
