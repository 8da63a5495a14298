// A table panel: @grafana/ui's Table with the panel's header, sort and cell height
// options; cell types, widths and alignment come from each field's custom config,
// which the preview has applied as Grafana does.
import React from 'react';
import { Table } from '@grafana/ui';

import { PanelView } from '../../src/preview/panelPreview';

export function TablePanel({ view, width, height }: { view: PanelView; width: number; height: number }) {
  const o = view.panel.options ?? {};
  const frame = view.frames[o.frameIndex ?? 0];
  if (!frame) {
    return <div>No data</div>;
  }
  return (
    <Table
      data={frame}
      width={width}
      height={height}
      noHeader={o.showHeader === false}
      initialSortBy={o.sortBy}
      cellHeight={o.cellHeight}
      fieldConfig={view.panel.fieldConfig}
      enablePagination={o.footer?.enablePagination}
      showTypeIcons={o.showTypeIcons}
    />
  );
}
