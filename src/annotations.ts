import { AnnotationEvent, AnnotationQuery, DataFrame, Field } from '@grafana/data';

import { AgentXQuery } from './types';

/** Most marks an annotation query draws, unless its editor says otherwise. */
export const ANNOTATION_LIMIT = 500;

/** Annotations are conversations matching the query's filters, one mark each. */
export function prepareAnnotation(anno: AnnotationQuery<AgentXQuery>): AnnotationQuery<AgentXQuery> {
  const target: AgentXQuery = {
    refId: 'Anno',
    limit: ANNOTATION_LIMIT,
    ...(anno.target ?? {}),
    queryType: 'conversations',
  };
  return { ...anno, target };
}

const byName = (frame: DataFrame, name: string): Field | undefined => frame.fields.find((f) => f.name === name);

function metadataQuestion(raw: unknown): string | undefined {
  const meta = typeof raw === 'string' ? safeParse(raw) : raw;
  const q = meta && typeof meta === 'object' ? (meta as Record<string, unknown>).question : undefined;
  return typeof q === 'string' && q ? q : undefined;
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** Turns the conversations table into annotation events with a text a person reads. */
export function conversationEvents(frames: DataFrame[]): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  for (const frame of frames) {
    const id = byName(frame, 'id');
    const start = byName(frame, 'startTime');
    if (!id || !start) {
      continue;
    }
    const end = byName(frame, 'lastActionAt');
    const locale = byName(frame, 'locale');
    const tags = byName(frame, 'tags');
    const users = byName(frame, 'userMessageCount');
    const metadata = byName(frame, 'metadata');
    for (let i = 0; i < frame.length; i++) {
      const tagList = String(tags?.values[i] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const question = metadataQuestion(metadata?.values[i]);
      const parts = [
        `Conversation ${id.values[i]}`,
        locale?.values[i] ? `(${locale.values[i]})` : '',
        tagList.length ? `— ${tagList.join(', ')}` : '— no tags',
        users?.values[i] != null ? `— ${users.values[i]} user messages` : '',
        question ? `— “${question}”` : '',
      ];
      events.push({
        time: Number(start.values[i]),
        timeEnd: end?.values[i] != null ? Number(end.values[i]) : undefined,
        text: parts.filter(Boolean).join(' '),
        tags: tagList,
      });
    }
  }
  return events;
}
