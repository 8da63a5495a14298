import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { ConfigEditor, DOCS_URL } from './ConfigEditor';
import { sampleSettings } from '../testing/settings';

const settings = sampleSettings;

/** Collapsible sections open on a click of their title's button. */
const open = (title: string) => fireEvent.click(screen.getByRole('button', { name: new RegExp(title) }));

describe('ConfigEditor', () => {
  it('shows every setting of the reference, the limits behind "Additional settings"', () => {
    render(<ConfigEditor options={settings()} onOptionsChange={jest.fn()} />);
    for (const label of ['API key', 'Base URL', 'Default bot', 'Known bots', 'Shared cache for Grafana HA']) {
      expect(screen.getAllByText(label, { exact: false }).length).toBeGreaterThan(0);
    }
    expect(screen.queryByText('Requests per second')).not.toBeInTheDocument();
    open('Additional settings');
    open('Shared cache for Grafana HA');
    for (const label of [
      'Requests per second',
      'Timeout (seconds)',
      'Max records per query',
      'Live minutes',
      'Cache minutes',
      'Final after (hours)',
      'Live reuse (seconds)',
      'Answer within (seconds)',
      'Keep synced (days)',
      'Sync share of the rate',
      'Redis URL',
      'Redis password',
      'Expected replicas',
    ]) {
      expect(screen.getAllByText(label, { exact: false }).length).toBeGreaterThan(0);
    }
    expect(screen.getByText(/Account > API/)).toBeInTheDocument();
  });

  it('links to the documentation and shows no example that looks like a saved value', () => {
    render(<ConfigEditor options={settings()} onOptionsChange={jest.fn()} />);
    expect(screen.getByRole('link', { name: /documentation|view/i })).toHaveAttribute('href', DOCS_URL);
    expect(screen.getByPlaceholderText('bot name or id')).toBeInTheDocument();
    expect(screen.getByPlaceholderText('Add a bot name or id')).toBeInTheDocument();
    expect(screen.queryByPlaceholderText('https://api.converseapps.com')).not.toBeInTheDocument();
    expect(screen.queryByPlaceholderText('r3-218210')).not.toBeInTheDocument();
    expect(screen.queryByText('New tag')).not.toBeInTheDocument();
  });

  it('sends a typed key only in secureJsonData', () => {
    const onChange = jest.fn();
    render(<ConfigEditor options={settings()} onOptionsChange={onChange} />);
    fireEvent.change(screen.getByPlaceholderText('Paste the Export API key'), { target: { value: 'k-123' } });
    const next = onChange.mock.calls[0][0];
    expect(next.secureJsonData).toEqual({ apiKey: 'k-123' });
    expect(JSON.stringify(next.jsonData)).not.toContain('k-123');
  });

  it('shows a configured key as configured and can reset it', () => {
    const onChange = jest.fn();
    render(<ConfigEditor options={settings({ secureJsonFields: { apiKey: true } })} onOptionsChange={onChange} />);
    expect(screen.getByDisplayValue('configured')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(onChange.mock.calls[0][0].secureJsonFields.apiKey).toBe(false);
  });

  it('stores numbers as numbers', () => {
    const onChange = jest.fn();
    render(<ConfigEditor options={settings()} onOptionsChange={onChange} />);
    open('Additional settings');
    fireEvent.change(screen.getByPlaceholderText('default 3'), { target: { value: '1.5' } });
    expect(onChange.mock.calls[0][0].jsonData.requestsPerSecond).toBe(1.5);
  });

  it("says at the field what a number must be, with the backend's words, and opens its section", () => {
    render(
      <ConfigEditor
        options={settings({ jsonData: { requestsPerSecond: 0, maxRecords: 2.5, expectedReplicas: 0 } })}
        onOptionsChange={jest.fn()}
      />
    );
    // Both sections open by themselves: an error is never hidden in a closed one.
    expect(screen.getByText('Must be a number above 0 and at most 100 (the API allows 3)')).toBeInTheDocument();
    expect(screen.getByText('Must be a whole number from 1 to 1000000000')).toBeInTheDocument();
    expect(screen.getByText('Must be a whole number of Grafana replicas from 1 to 100')).toBeInTheDocument();
  });

  it('checks the base URL and the Redis URL as they are typed', () => {
    render(
      <ConfigEditor
        options={settings({ jsonData: { baseUrl: 'ftp://x', redisUrl: 'redis://:secret@cache:6379' } })}
        onOptionsChange={jest.fn()}
      />
    );
    expect(screen.getByText(/Must start with https:\/\//)).toBeInTheDocument();
    expect(screen.getByText(/No password in the URL/)).toBeInTheDocument();
  });

  it('keeps the Redis password secret and beside the API key', () => {
    const onChange = jest.fn();
    const opts = settings({ secureJsonData: { apiKey: 'k-123' } });
    render(<ConfigEditor options={opts} onOptionsChange={onChange} />);
    open('Shared cache for Grafana HA');
    fireEvent.change(screen.getByPlaceholderText('Redis password (optional)'), { target: { value: 'r-pw-9' } });
    const next = onChange.mock.calls[0][0];
    expect(next.secureJsonData).toEqual({ apiKey: 'k-123', redisPassword: 'r-pw-9' });
    expect(JSON.stringify(next.jsonData)).not.toContain('r-pw-9');
  });

  it('stores the Redis URL and the expected replicas in jsonData', () => {
    const onChange = jest.fn();
    render(<ConfigEditor options={settings()} onOptionsChange={onChange} />);
    open('Shared cache for Grafana HA');
    fireEvent.change(screen.getByPlaceholderText('none: this Grafana runs alone'), {
      target: { value: 'redis://cache:6379/1' },
    });
    expect(onChange.mock.calls[0][0].jsonData.redisUrl).toBe('redis://cache:6379/1');
    fireEvent.change(screen.getByPlaceholderText('default 2'), { target: { value: '3' } });
    expect(onChange.mock.calls[1][0].jsonData.expectedReplicas).toBe(3);
  });
});
