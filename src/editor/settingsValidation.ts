import { NUMBER_SETTINGS, NumberSetting, NumberSettingKey } from '../generated/settings';

// The config editor's checks, the backend's rules (pkg/settings) as the person
// types: a message at the field instead of one after Save & test.

export const numberSetting = (key: NumberSettingKey): NumberSetting => NUMBER_SETTINGS.find((s) => s.key === key)!;

/** Empty is fine (the default applies); provisioning files may hold numbers as text. */
export function numberProblem(s: NumberSetting, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  const ok =
    Number.isFinite(n) && n >= s.min && !(s.aboveMin && n === s.min) && n <= s.max && (!s.whole || Number.isInteger(n));
  return ok ? undefined : `Must be ${s.accepted}`;
}

/** A typed URL: nothing when empty (the default applies), null when it is not a URL. */
function typedUrl(value?: string): URL | null | undefined {
  const raw = value?.trim();
  if (!raw) {
    return undefined;
  }
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

export function baseUrlProblem(value?: string): string | undefined {
  const u = typedUrl(value);
  if (u === undefined) {
    return undefined;
  }
  if (u === null) {
    return 'Not a URL: write it like https://api.converseapps.com';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    return 'Must start with https:// (or http:// for a local simulator)';
  }
  if (u.username || u.password || u.search || u.hash) {
    return 'Must not carry credentials, a query or a fragment';
  }
  return undefined;
}

export function redisUrlProblem(value?: string): string | undefined {
  const u = typedUrl(value);
  if (u === undefined) {
    return undefined;
  }
  if (u === null || (u.protocol !== 'redis:' && u.protocol !== 'rediss:') || !u.host) {
    return 'Write it like redis://host:6379/0, or rediss://host:6380 for TLS';
  }
  if (u.password) {
    return 'No password in the URL: put it in Redis password below, which Grafana keeps encrypted';
  }
  return undefined;
}
