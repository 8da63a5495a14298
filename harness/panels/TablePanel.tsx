// A table panel: @grafana/ui's Table with the panel's header, sort, cell height and
// pagination options; cell types, widths and alignment come from each field's
// custom config, which the preview has applied as Grafana does. Grafana's table
// panel itself draws TableNG, which needs a react-data-grid this project cannot
// install (package.json pins the registry's 7.0.0-beta.46); Table shares its cell
// components, and takes TableNG's smallest column width so columns fit the panel
// as TableNG fits them rather than scrolling.
import React from 'react';
import { Table } from '@grafana/ui';

import { PanelView } from '../../src/preview/panelPreview';
import { timeRangeOf } from './timeRange';

/** TableNG's smallest column width (COLUMN.MIN_WIDTH in @grafana/ui 12.4). */
const TABLE_NG_MIN_WIDTH = 50;

export function TablePanel({ view, width, height }: { view: PanelView; width: number; height: number }) {
  const o = view.panel.options ?? {};
  const index = o.frameIndex > 0 && o.frameIndex < view.frames.length ? o.frameIndex : 0;
  const frame = view.frames[index];
  if (!frame) {
    return <div>No data</div>;
  }
  return (
    <Table
      data={frame}
      width={width}
      height={height}
      noHeader={o.showHeader === false}
      showTypeIcons={o.showTypeIcons}
      resizable={true}
      initialSortBy={o.sortBy}
      cellHeight={o.cellHeight}
      enablePagination={o.enablePagination ?? o.footer?.enablePagination}
      footerOptions={o.footer}
      timeRange={timeRangeOf(view)}
      fieldConfig={view.panel.fieldConfig}
      columnMinWidth={TABLE_NG_MIN_WIDTH}
    />
  );
}
