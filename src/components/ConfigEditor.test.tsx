import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { ConfigEditor } from './ConfigEditor';
import { sampleSettings } from '../testing/settings';

const settings = sampleSettings;

describe('ConfigEditor', () => {
  it('shows the default base URL and every setting of the contract', () => {
    render(<ConfigEditor options={settings()} onOptionsChange={jest.fn()} />);
    expect(screen.getByPlaceholderText('https://api.converseapps.com')).toBeInTheDocument();
    for (const label of [
      'API key',
      'Base URL',
      'Default bot',
      'Known bots',
      'Requests per second',
      'Timeout (seconds)',
      'Max records per query',
      'Live minutes',
      'Cache minutes',
      'Shared cache for Grafana HA',
      'Redis URL',
      'Redis password',
      'Expected replicas',
    ]) {
      expect(screen.getAllByText(label, { exact: false }).length).toBeGreaterThan(0);
    }
    expect(screen.getByText(/Account > API/)).toBeInTheDocument();
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
    fireEvent.change(screen.getByPlaceholderText('3'), { target: { value: '1.5' } });
    expect(onChange.mock.calls[0][0].jsonData.requestsPerSecond).toBe(1.5);
  });

  it('keeps the Redis password secret and beside the API key', () => {
    const onChange = jest.fn();
    const opts = settings({ secureJsonData: { apiKey: 'k-123' } });
    render(<ConfigEditor options={opts} onOptionsChange={onChange} />);
    fireEvent.change(screen.getByPlaceholderText('Redis password (optional)'), { target: { value: 'r-pw-9' } });
    const next = onChange.mock.calls[0][0];
    expect(next.secureJsonData).toEqual({ apiKey: 'k-123', redisPassword: 'r-pw-9' });
    expect(JSON.stringify(next.jsonData)).not.toContain('r-pw-9');
  });

  it('stores the Redis URL and the expected replicas in jsonData', () => {
    const onChange = jest.fn();
    render(<ConfigEditor options={settings()} onOptionsChange={onChange} />);
    fireEvent.change(screen.getByPlaceholderText('redis://redis:6379/0'), {
      target: { value: 'redis://cache:6379/1' },
    });
    expect(onChange.mock.calls[0][0].jsonData.redisUrl).toBe('redis://cache:6379/1');
    fireEvent.change(screen.getByPlaceholderText('2'), { target: { value: '3' } });
    expect(onChange.mock.calls[1][0].jsonData.expectedReplicas).toBe(3);
  });
});
