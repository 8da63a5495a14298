import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { DataSourceInstanceSettings } from '@grafana/data';

const replace = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ replace, getVariables: () => [{ name: 'bot' }] }),
}));

import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import { botFromText, interpolateBot } from './editor/bots';
import { AgentXOptions, AgentXQuery } from './types';

// What Grafana's template service answers for the bot variable: one bot, several,
// or All, whose value is the variable's allValue, __all__ (as the demo dashboard sets it).
const vars: Record<string, string[]> = {
  $one: ['r3-218210'],
  $some: ['r3-218210', 'acme-support'],
  $all: ['__all__'],
};

beforeEach(() => {
  replace.mockImplementation((text: string, _scoped: unknown, format?: string) => {
    const v = vars[text];
    if (!v) {
      return text;
    }
    return format === 'json' ? JSON.stringify(v.length === 1 ? v[0] : v) : v.join(',');
  });
});

describe('a multi-value bot variable', () => {
  const ds = new DataSource({ jsonData: {} } as DataSourceInstanceSettings<AgentXOptions>);
  const apply = (bot: AgentXQuery['bot']) =>
    ds.applyTemplateVariables({ refId: 'A', queryType: 'conversationVolume', bot }, {}).bot;

  it('reaches the backend as one bot, a list of bots, or __all__ for its All', () => {
    expect(apply('$one')).toBe('r3-218210');
    expect(apply('$some')).toEqual(['r3-218210', 'acme-support']);
    expect(apply('$all')).toBe('__all__');
    expect(apply(['$some', 'globex-billing', 'acme-support'])).toEqual(['r3-218210', 'acme-support', 'globex-billing']);
    expect(apply(['$all', 'acme-support'])).toBe('__all__');
    expect(apply(undefined)).toBeUndefined();
    expect(apply('$unknown')).toBe('$unknown'); // the backend names it
  });

  it('keeps the interpolation on its own', () => {
    expect(interpolateBot('x', (s) => s)).toBe('x');
    expect(botFromText('a, b ,a')).toEqual(['a', 'b']);
    expect(botFromText(' ')).toBeUndefined();
  });
});

function fakeDatasource() {
  return {
    getBots: jest.fn().mockResolvedValue(['r3-218210', 'acme-support', 'globex-billing']),
    getValues: jest.fn().mockResolvedValue([]),
  } as unknown as DataSource;
}

describe('the query editor and several bots', () => {
  it('offers groupBy bot and runs it', async () => {
    const onChange = jest.fn();
    const onRunQuery = jest.fn();
    await act(async () => {
      render(
        <QueryEditor
          datasource={fakeDatasource()}
          query={{ refId: 'A', queryType: 'tagRate', bot: '__all__' }}
          onChange={onChange}
          onRunQuery={onRunQuery}
        />
      );
    });
    fireEvent.click(screen.getByRole('radio', { name: 'Bot' }));
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ groupBy: 'bot', bot: '__all__' }));
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows several bots of a saved query', async () => {
    await act(async () => {
      render(
        <QueryEditor
          datasource={fakeDatasource()}
          query={{ refId: 'A', queryType: 'conversationVolume', bot: ['r3-218210', 'acme-support'] }}
          onChange={jest.fn()}
          onRunQuery={jest.fn()}
        />
      );
    });
    expect(screen.getByDisplayValue('r3-218210, acme-support')).toBeInTheDocument();
  });
});
