import { dateTime, TimeRange } from '@grafana/data';

import { PanelView } from '../../src/preview/panelPreview';

/** The time range the panel's queries were answered for, after its own time options. */
export function timeRangeOf(view: PanelView): TimeRange {
  const from = dateTime(view.range.from);
  const to = dateTime(view.range.to);
  return { from, to, raw: { from, to } };
}
