import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [{ name: 'bot' }], replace: (s: string) => s }),
}));

import { QueryEditor } from './QueryEditor';
import { DataSource } from '../datasource';
import { AgentXQuery } from '../types';

function fakeDatasource() {
  return {
    getBots: jest.fn().mockResolvedValue(['r3-218210', 'acme-support']),
    getValues: jest
      .fn()
      .mockImplementation((field: string) =>
        Promise.resolve({ tag: ['resolved', 'liveChat'], locale: ['en_us'], metadataKey: ['channel'] }[field] ?? [])
      ),
  } as unknown as DataSource;
}

async function setup(query: Partial<AgentXQuery>) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const ds = fakeDatasource();
  await act(async () => {
    render(
      <QueryEditor datasource={ds} query={{ refId: 'A', ...query }} onChange={onChange} onRunQuery={onRunQuery} />
    );
  });
  return { onChange, onRunQuery, ds };
}

describe('QueryEditor', () => {
  it('shows only the fields a time series uses', async () => {
    await setup({ queryType: 'tagRate' });
    expect(screen.getByText('Group by')).toBeInTheDocument();
    expect(document.getElementById('agentx-tag')).toBeInTheDocument();
    expect(screen.getByPlaceholderText('auto')).toBeInTheDocument(); // bucket
    expect(screen.queryByPlaceholderText('10000')).not.toBeInTheDocument(); // limit is for tables
    expect(screen.queryByText('Statistic')).not.toBeInTheDocument();
    expect(screen.queryByText('Conversation ID')).not.toBeInTheDocument();
  });

  it('shows the statistic for user messages and the limit and conversation id for messages', async () => {
    await setup({ queryType: 'userMessages' });
    expect(screen.getByText('Statistic')).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'p90' })).toBeInTheDocument();
  });

  it('offers message type grouping only for message volume', async () => {
    await setup({ queryType: 'conversationVolume' });
    expect(screen.queryByRole('radio', { name: 'Message type' })).not.toBeInTheDocument();
  });

  it('shows limit and conversation id for the messages table', async () => {
    await setup({ queryType: 'messages' });
    expect(screen.getByPlaceholderText('10000')).toBeInTheDocument();
    expect(screen.getByText('Conversation ID')).toBeInTheDocument();
    expect(screen.queryByText('Group by')).not.toBeInTheDocument();
  });

  it('asks for a metadata key when grouping by metadata', async () => {
    await setup({ queryType: 'conversationCounts', groupBy: 'metadata' });
    expect(screen.getByText('Metadata key')).toBeInTheDocument();
  });

  it('runs the query when a choice is made', async () => {
    const { onChange, onRunQuery } = await setup({ queryType: 'userMessages' });
    fireEvent.click(screen.getByRole('radio', { name: 'p90' }));
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ stat: 'p90' }));
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('runs the query when a text field loses focus, not on every keystroke', async () => {
    const { onChange, onRunQuery } = await setup({ queryType: 'conversationVolume' });
    const bucket = screen.getByPlaceholderText('auto');
    fireEvent.change(bucket, { target: { value: '15m' } });
    expect(onRunQuery).not.toHaveBeenCalled();
    fireEvent.blur(bucket);
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ bucket: '15m' }));
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('fills the pickers from the backend resources', async () => {
    const { ds } = await setup({ queryType: 'conversations', bot: 'acme-support' });
    expect(ds.getBots).toHaveBeenCalled();
    expect(ds.getValues).toHaveBeenCalledWith('tag', 'acme-support');
    expect(ds.getValues).toHaveBeenCalledWith('locale', 'acme-support');
  });

  it('defaults a new query to the conversations table', async () => {
    await setup({});
    expect(screen.getByDisplayValue('Conversations')).toBeInTheDocument();
  });

  it('mounts without the layout work that makes jsdom slow', async () => {
    // Each getComputedStyle call matches every CSS rule emotion injected: hundreds of
    // calls per render made this suite take over a minute on a busy machine.
    const spy = jest.spyOn(window, 'getComputedStyle');
    await setup({
      queryType: 'conversationVolume',
      filters: { metadata: [{ key: 'channel', op: '=', value: 'web' }] },
    });
    expect(spy.mock.calls.length).toBeLessThan(60);
    spy.mockRestore();
  });
});
