import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { QueryEditor } from './QueryEditor';
import { DataSource } from '../datasource';
import { AgentXQuery } from '../types';

function setup(query: Partial<AgentXQuery>) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(
    <QueryEditor
      datasource={{} as DataSource}
      query={{ refId: 'A', ...query }}
      onChange={onChange}
      onRunQuery={onRunQuery}
    />
  );
  return { onChange, onRunQuery };
}

describe('QueryEditor', () => {
  it('runs the query when the bot field loses focus, not on every keystroke', () => {
    const { onChange, onRunQuery } = setup({ queryType: 'conversations' });
    const bot = screen.getByPlaceholderText('default bot');
    fireEvent.change(bot, { target: { value: 'r3' } });
    expect(onRunQuery).not.toHaveBeenCalled();
    fireEvent.blur(bot);
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ bot: 'r3' }));
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows the limit only for tables', () => {
    setup({ queryType: 'conversations' });
    expect(screen.getByPlaceholderText('10000')).toBeInTheDocument();
  });

  it('hides the limit for time series', () => {
    setup({ queryType: 'conversationVolume' });
    expect(screen.queryByPlaceholderText('10000')).not.toBeInTheDocument();
  });
});
