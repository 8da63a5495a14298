import { FieldType, toDataFrame } from '@grafana/data';

import { conversationEvents, prepareAnnotation } from './annotations';

describe('annotations', () => {
  it('reads conversations matching the annotation query', () => {
    const a = prepareAnnotation({
      enable: true,
      name: 'Hand-offs',
      iconColor: 'red',
      target: { refId: 'X', queryType: 'tagRate', filters: { tags: ['liveChat'] } },
    });
    expect(a.target).toEqual(expect.objectContaining({ queryType: 'conversations', filters: { tags: ['liveChat'] } }));
  });

  it('gives each conversation a readable text, its span and its tags', () => {
    const frame = toDataFrame({
      fields: [
        { name: 'id', type: FieldType.string, values: ['c1'] },
        { name: 'startTime', type: FieldType.time, values: [1000] },
        { name: 'lastActionAt', type: FieldType.time, values: [61000] },
        { name: 'locale', type: FieldType.string, values: ['de_de'] },
        { name: 'tags', type: FieldType.string, values: ['liveChat, guideInteraction'] },
        { name: 'userMessageCount', type: FieldType.number, values: [3] },
        { name: 'metadata', type: FieldType.other, values: [{ question: 'Wo ist meine Bestellung?' }] },
      ],
    });
    expect(conversationEvents([frame])).toEqual([
      {
        time: 1000,
        timeEnd: 61000,
        text: 'Conversation c1 (de_de) — liveChat, guideInteraction — 3 user messages — “Wo ist meine Bestellung?”',
        tags: ['liveChat', 'guideInteraction'],
      },
    ]);
  });
});
