import { signUnsubscribeToken, type UnsubscribeChannel } from './unsubscribe-token';

export interface UnsubscribeSettings {
  /** UNSUBSCRIBE_SECRET: at least 32 characters. */
  secret: string;
  /** PUBLIC_API_URL: the origin (and optional path prefix) the public routes are reached at. */
  publicBaseUrl: string;
}

export interface UnsubscribeTarget {
  customerId: string;
  channel: UnsubscribeChannel;
  topic?: string;
  deliveryId?: string;
}

export interface UnsubscribeLinks {
  /** The RFC 8058 one-click URL for List-Unsubscribe: a POST unsubscribes, a GET shows the page. */
  unsubscribe: string;
  /** The hosted preference page. */
  preferences: string;
}

/**
 * The links a message carries. One-click POSTs come from mail providers without any session,
 * so the signed token in the path is the whole authorisation.
 */
export function unsubscribeLinks(
  settings: UnsubscribeSettings,
  target: UnsubscribeTarget,
  now: Date = new Date(),
): UnsubscribeLinks {
  const token = signUnsubscribeToken(settings.secret, {
    ...target,
    issuedAt: Math.floor(now.getTime() / 1000),
  });
  return unsubscribeUrls(settings.publicBaseUrl, token);
}

/** The URLs of an already signed token. */
export function unsubscribeUrls(publicBaseUrl: string, token: string): UnsubscribeLinks {
  const base = `${publicBaseUrl.replace(/\/+$/, '')}/u/${encodeURIComponent(token)}`;
  return { unsubscribe: base, preferences: `${base}/preferences` };
}
