import type { TopicState } from '../../guardrails/topics';
import type { UnsubscribeChannel } from '../../guardrails/unsubscribe-token';
import { escapeHtml, htmlDocument } from './html';
import type { ChannelState, Preferences } from '../../guardrails/preferences';

/** Channels are named by what they reach, never by the address: the page shows no contact data. */
const CHANNEL_LABELS: Record<UnsubscribeChannel, string> = {
  email: 'Emails to your email address',
  sms: 'Text messages to your phone',
  push: 'Push notifications on your devices',
};

export interface PageContext {
  /** The absolute URL of the one-click unsubscribe (POST) for this token. */
  unsubscribeUrl: string;
  /** The absolute URL the preference form posts to. */
  preferencesUrl: string;
  /** The channel and topic the link was for. */
  linkChannel: UnsubscribeChannel;
  linkTopic?: string;
  notice?: string;
}

/**
 * The hosted preference page: plain HTML forms, no JavaScript. Every checkbox of the preference
 * form is paired with a hidden "shown" field, so an unchecked box (which browsers do not submit)
 * is told apart from a choice that was not on the page.
 */
export function preferencePage(preferences: Preferences, context: PageContext): string {
  const notice = context.notice
    ? `<p class="notice" role="status">${escapeHtml(context.notice)}</p>`
    : '';
  const body =
    '<h1>Your message preferences</h1>' +
    notice +
    quickUnsubscribe(preferences, context) +
    `<form method="post" action="${escapeHtml(context.preferencesUrl)}">` +
    channelFieldset(preferences.channels) +
    topicFieldset(preferences.topics) +
    '<button type="submit">Save my choices</button></form>' +
    `<form method="post" action="${escapeHtml(context.preferencesUrl)}">` +
    '<input type="hidden" name="everything" value="off">' +
    '<button type="submit">Unsubscribe from everything</button></form>';
  return htmlDocument('Your message preferences', body);
}

export function confirmationPage(what: string, preferencesUrl: string): string {
  return htmlDocument(
    'Unsubscribed',
    `<h1>You are unsubscribed</h1><p>You will no longer get ${escapeHtml(what)}.</p>` +
      `<p><a href="${escapeHtml(preferencesUrl)}">Manage your preferences</a></p>`,
  );
}

export function invalidLinkPage(): string {
  return htmlDocument(
    'Link not valid',
    '<h1>This link is not valid</h1><p class="error">Nothing was changed. Please use the ' +
      'unsubscribe link from a recent message, or contact us.</p>',
  );
}

export function unknownCustomerPage(): string {
  return htmlDocument(
    'Nothing to change',
    '<h1>We have no preferences for this link</h1><p>Nothing was changed.</p>',
  );
}

/** What a one-click unsubscribe of a link stops, in words. */
export function linkSubject(channel: UnsubscribeChannel, topicName?: string): string {
  if (topicName !== undefined) return `messages about “${topicName}”`;
  return CHANNEL_LABELS[channel].toLowerCase();
}

function quickUnsubscribe(preferences: Preferences, context: PageContext): string {
  const topicName = preferences.topics.find((s) => s.topic.id === context.linkTopic)?.topic.name;
  return (
    `<form method="post" action="${escapeHtml(context.unsubscribeUrl)}">` +
    '<input type="hidden" name="List-Unsubscribe" value="One-Click">' +
    `<button type="submit">Unsubscribe from ${escapeHtml(linkSubject(context.linkChannel, topicName))}` +
    '</button></form>'
  );
}

function channelFieldset(channels: ChannelState[]): string {
  const rows = channels.map((state) => {
    const label = escapeHtml(CHANNEL_LABELS[state.channel]);
    if (!state.canSubscribe) {
      return `<p>${label}: off. <small>To get texts, reply START to one of our messages.</small></p>`;
    }
    return (
      `<input type="hidden" name="shown_channel" value="${state.channel}">` +
      `<label><input type="checkbox" name="channel" value="${state.channel}"` +
      `${state.subscribed ? ' checked' : ''}> ${label}</label>`
    );
  });
  return `<fieldset><legend>How we reach you</legend>${rows.join('')}</fieldset>`;
}

function topicFieldset(topics: TopicState[]): string {
  if (topics.length === 0) return '';
  const rows = topics.map(({ topic, subscribed }) => {
    const id = escapeHtml(topic.id);
    const description = topic.description ? `<small>${escapeHtml(topic.description)}</small>` : '';
    return (
      `<input type="hidden" name="shown_topic" value="${id}">` +
      `<label><input type="checkbox" name="topic" value="${id}"${subscribed ? ' checked' : ''}> ` +
      `${escapeHtml(topic.name)}</label>${description}`
    );
  });
  return `<fieldset><legend>What we send you</legend>${rows.join('')}</fieldset>`;
}
