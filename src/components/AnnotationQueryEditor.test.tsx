import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [], replace: (s: string) => s }),
}));

import { AnnotationQueryEditor } from './AnnotationQueryEditor';
import { DataSource } from '../datasource';

const ds = {
  getBots: jest.fn().mockResolvedValue(['r3-218210']),
  getValues: jest.fn().mockResolvedValue(['liveChat', 'resolved']),
} as unknown as DataSource;

async function setup(query: object) {
  const onChange = jest.fn();
  await act(async () => {
    render(
      <AnnotationQueryEditor
        datasource={ds}
        query={{ refId: 'Anno', ...query }}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
  });
  return onChange;
}

describe('AnnotationQueryEditor', () => {
  it('shows what runs: the bot, the filters and the limit of 500', async () => {
    await setup({ filters: { tags: ['liveChat'] } });
    expect(screen.getByDisplayValue('500')).toBeInTheDocument();
    expect(screen.getByText('Filters: with liveChat')).toBeInTheDocument();
    expect(screen.queryByText('Query type')).not.toBeInTheDocument();
  });

  it('keeps a saved limit and saves a changed one as a conversations query', async () => {
    const onChange = await setup({ limit: 200 });
    const limit = screen.getByDisplayValue('200');
    fireEvent.change(limit, { target: { value: '50' } });
    fireEvent.blur(limit);
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ queryType: 'conversations', limit: 50 }));
  });
});
