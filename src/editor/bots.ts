import { ComboboxOption } from '@grafana/ui';

/** A query's `bot` for every configured bot: what a dashboard's All of the bot variable sends. */
export const ALL_BOTS = '__all__';

/**
 * A query's bot after its template variables: a multi-value variable gives a list
 * of bots, and its All (or an All among the values) `__all__`, every configured
 * bot, which the backend expands; one value stays one text.
 */
export function interpolateBot(
  bot: string | string[] | undefined,
  replace: (text: string, format?: string) => string
): string | string[] | undefined {
  if (bot === undefined) {
    return undefined;
  }
  const names = (Array.isArray(bot) ? bot : [bot]).flatMap((b) => {
    const replaced = replace(b, 'json');
    try {
      const parsed: unknown = JSON.parse(replaced);
      return Array.isArray(parsed) ? parsed.map(String) : [String(parsed)];
    } catch {
      return [replaced];
    }
  });
  if (names.includes(ALL_BOTS)) {
    return ALL_BOTS;
  }
  const distinct = [...new Set(names.map((n) => n.trim()).filter((n) => n !== ''))];
  return distinct.length > 1 ? distinct : (distinct[0] ?? '');
}

/** The bot whose values the editor's pickers list: the first of several. */
export function pickerBot(bot: string | string[] | undefined): string | undefined {
  const first = Array.isArray(bot) ? bot[0] : bot;
  return first === ALL_BOTS ? undefined : first;
}

/** The bot picker's text: several bots joined by commas. */
export function botText(bot: string | string[] | undefined): string | undefined {
  return Array.isArray(bot) ? bot.join(', ') : bot;
}

/** A picked or typed bot: "a, b" names several. */
export function botFromText(text: string | undefined): string | string[] | undefined {
  const names = (text ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) {
    return undefined;
  }
  return names.length > 1 ? [...new Set(names)] : names[0];
}

/** "All bots" first when the data source knows several: one query for the whole fleet. */
export function withAllBots(options: Array<ComboboxOption<string>>): Array<ComboboxOption<string>> {
  const known = options.filter((o) => !String(o.value).startsWith('$'));
  if (known.length < 2) {
    return options;
  }
  return [{ value: ALL_BOTS, label: 'All bots', description: 'Every bot of the data source' }, ...options];
}
