import type { UnsubscribeChannel } from '../../guardrails/unsubscribe-token';
import { CHANNELS, type PreferenceChanges } from '../../guardrails/preferences';

/** Form fields as posted; a repeated field keeps every value. */
export type FormFields = Record<string, string[]>;

export function parseFormBody(body: string): FormFields {
  // No prototype: a field named "__proto__" or "constructor" is just a field.
  const fields = Object.create(null) as FormFields;
  for (const [key, value] of new URLSearchParams(body)) (fields[key] ??= []).push(value);
  return fields;
}

/**
 * The choices a preference form submission makes: each channel and topic that was on the page is
 * on when its box was ticked and off otherwise; "everything" turns off every channel and topic.
 * Values that name no channel are dropped; topic ids are checked against the database later.
 */
export function changesFromForm(fields: FormFields, allTopics: string[]): PreferenceChanges {
  if (fields.everything?.includes('off')) {
    return {
      channels: Object.fromEntries(CHANNELS.map((c) => [c, 'opted_out'])),
      topics: Object.fromEntries(allTopics.map((t) => [t, 'unsubscribed'])),
    };
  }
  const checkedChannels = new Set(fields.channel ?? []);
  const checkedTopics = new Set(fields.topic ?? []);
  const shownChannels = [...new Set(fields.shown_channel ?? [])].filter(isChannel);
  const shownTopics = [...new Set(fields.shown_topic ?? [])];
  // fromEntries defines own properties, so a field value such as "__proto__" stays plain data.
  return {
    channels: Object.fromEntries(
      shownChannels.map((c) => [c, checkedChannels.has(c) ? 'opted_in' : 'opted_out']),
    ),
    topics: Object.fromEntries(
      shownTopics.map((t) => [t, checkedTopics.has(t) ? 'subscribed' : 'unsubscribed']),
    ),
  };
}

function isChannel(value: string): value is UnsubscribeChannel {
  return (CHANNELS as readonly string[]).includes(value);
}
