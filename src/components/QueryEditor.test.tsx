import React from 'react';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [{ name: 'bot' }], replace: (s: string) => s }),
}));

import { CoreApp } from '@grafana/data';

import { QueryEditor, typeOptions } from './QueryEditor';
import { DataSource } from '../datasource';
import { AgentXQuery } from '../types';
import { alertTypes } from '../editor/queryModel';
import { QUERY_TYPE_SPECS } from '../generated/queryModel';

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

async function setup(query: Partial<AgentXQuery>, app?: CoreApp, ds = fakeDatasource()) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  await act(async () => {
    render(
      <QueryEditor
        datasource={ds}
        query={{ refId: 'A', ...query }}
        onChange={onChange}
        onRunQuery={onRunQuery}
        app={app}
      />
    );
  });
  return { onChange, onRunQuery, ds };
}

const openFilters = () => fireEvent.click(screen.getByText(/^Filters:/));

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
    openFilters();
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

  it('says in one line what the closed filters select, and opens on a click', async () => {
    await setup({
      queryType: 'conversationVolume',
      filters: { tags: ['resolved'], locales: ['en_us'], metadata: [{ key: 'plan', op: '!=', value: 'pro' }] },
    });
    expect(screen.getByText('Filters: with resolved · locale en_us · plan ≠ pro')).toBeInTheDocument();
    expect(screen.queryByText('With tags')).not.toBeInTheDocument();
    openFilters();
    expect(screen.getByText('With tags')).toBeInTheDocument();
    expect(screen.getByRole('radiogroup', { name: 'Operator of metadata filter 1' })).toBeInTheDocument();
  });

  it('names its radio groups for screen readers', async () => {
    await setup({ queryType: 'userMessages' });
    expect(screen.getByRole('radiogroup', { name: 'Group by' })).toBeInTheDocument();
    expect(screen.getByRole('radiogroup', { name: 'Statistic' })).toBeInTheDocument();
  });
});

describe('QueryEditor runs only queries that can answer, once per change', () => {
  it('does not run a grouping by metadata without a key, and says so at the field', async () => {
    const { onChange, onRunQuery } = await setup({ queryType: 'conversationVolume' });
    fireEvent.click(screen.getByRole('radio', { name: 'Metadata' }));
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ groupBy: 'metadata' }));
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('shows the missing metadata key at its field', async () => {
    await setup({ queryType: 'conversationVolume', groupBy: 'metadata' });
    expect(screen.getByText('Pick the metadata key')).toBeInTheDocument();
  });

  it('does not run a bucket that is not a duration', async () => {
    const { onChange, onRunQuery } = await setup({ queryType: 'conversationVolume' });
    const bucket = screen.getByPlaceholderText('auto');
    fireEvent.change(bucket, { target: { value: '5 minutes' } });
    fireEvent.blur(bucket);
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ bucket: '5 minutes' }));
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('shows a bad bucket at its field, and accepts range and variables', async () => {
    await setup({ queryType: 'tagRate', bucket: '10s' });
    expect(screen.getByText('A bucket is 1m to 7d')).toBeInTheDocument();
    cleanup();
    await setup({ queryType: 'tagRate', bucket: 'range' });
    expect(screen.queryByText(/A bucket is|Write a duration/)).not.toBeInTheDocument();
  });

  it('does not run a negative limit', async () => {
    const { onRunQuery } = await setup({ queryType: 'conversations' });
    const limit = screen.getByPlaceholderText('10000');
    fireEvent.change(limit, { target: { value: '-5' } });
    fireEvent.blur(limit);
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('does not run a metadata filter without a key', async () => {
    const { onChange, onRunQuery } = await setup({ queryType: 'conversations' });
    openFilters();
    fireEvent.click(screen.getByRole('button', { name: /Metadata filter/ }));
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('does not run again when a field loses focus unchanged', async () => {
    const { onChange, onRunQuery } = await setup({ queryType: 'conversationVolume', bucket: '1h' });
    fireEvent.blur(screen.getByPlaceholderText('auto'));
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('does not run a table query in an alert rule', async () => {
    await setup({ queryType: 'conversations' }, CoreApp.UnifiedAlerting);
    expect(screen.getByText(/Alert rules evaluate time series/)).toBeInTheDocument();
  });
});

describe('QueryEditor knows where it runs', () => {
  it('offers alert rules only time series, Explore the transcript first, and never values', () => {
    const labels = (app?: CoreApp) => typeOptions(app).map((o) => o.value);
    // The registry says which types alert rules may use; these five at least, and only time series.
    expect(labels(CoreApp.UnifiedAlerting)).toEqual(alertTypes());
    expect(alertTypes()).toEqual(
      expect.arrayContaining(['conversationVolume', 'messageVolume', 'tagRate', 'userMessages', 'conversationDuration'])
    );
    expect(alertTypes().every((t) => QUERY_TYPE_SPECS[t].kind === 'series')).toBe(true);
    expect(labels(CoreApp.Explore)[0]).toBe('transcript');
    expect(labels(CoreApp.Dashboard)).not.toContain('values');
    // A saved query of a type that cannot run here still shows, with the reason.
    expect(typeOptions(CoreApp.UnifiedAlerting, 'conversations').map((o) => o.value)).toContain('conversations');
  });
});

describe('QueryEditor pickers', () => {
  it('show that they are loading', async () => {
    const ds = {
      getBots: jest.fn().mockReturnValue(new Promise(() => {})),
      getValues: jest.fn().mockReturnValue(new Promise(() => {})),
    } as unknown as DataSource;
    await setup({ queryType: 'conversations' }, undefined, ds);
    expect(screen.getByPlaceholderText('Loading bots…')).toBeInTheDocument();
  });

  it('say when their list could not load, and still take a typed value', async () => {
    const ds = {
      getBots: jest.fn().mockRejectedValue(new Error('API key rejected')),
      getValues: jest.fn().mockRejectedValue({ data: { message: 'unknown bot' } }),
    } as unknown as DataSource;
    await setup({ queryType: 'tagRate' }, undefined, ds);
    expect(screen.getByText('Could not load bots (API key rejected); type a value')).toBeInTheDocument();
    expect(screen.getByText('Could not load tags (unknown bot); type a value')).toBeInTheDocument();
  });

  it('offers a time zone field for time series and says which zone the buckets follow', async () => {
    await setup({ queryType: 'conversationVolume' }, CoreApp.UnifiedAlerting);
    expect(screen.getByText('Time zone')).toBeInTheDocument();
    expect(document.getElementById('agentx-timezone')).toBeInTheDocument();
    expect(screen.getByText(/Buckets follow UTC: alert rules have no dashboard/)).toBeInTheDocument();
    cleanup();
    await setup({ queryType: 'conversationVolume', timezone: 'Australia/Lord_Howe' }, CoreApp.UnifiedAlerting);
    expect(screen.getByText('Buckets follow Australia/Lord_Howe')).toBeInTheDocument();
    cleanup();
    await setup({ queryType: 'conversations' }, CoreApp.Dashboard);
    expect(screen.queryByText('Time zone')).not.toBeInTheDocument();
  });

  it('keeps the time zone between time series types and drops it for tables', async () => {
    const { switchType } = await import('../editor/queryModel');
    const q: AgentXQuery = { refId: 'A', queryType: 'conversationVolume', timezone: 'Europe/Berlin' };
    expect(switchType(q, 'tagRate').timezone).toBe('Europe/Berlin');
    expect(switchType(q, 'conversations').timezone).toBeUndefined();
  });
});
