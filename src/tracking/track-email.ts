import type { Database } from '../db/database';
import { storeDeliveryLinks } from './delivery-links';
import { rewriteEmailHtml } from './rewrite-links';
import { trackingSigner } from './tracking-token';

export interface EmailTrackingSettings {
  secret: string;
  /** Where customers reach the public /t routes. */
  publicBaseUrl: string;
}

/**
 * The HTML a delivery is sent with: links rewritten to click redirects and an open pixel, the
 * original URLs stored first so every redirect in the message works once it is out. Tokens are
 * deterministic, so a retried send stores nothing new and sends the same links.
 */
export async function trackEmailHtml(
  db: Database,
  settings: EmailTrackingSettings,
  deliveryId: string,
  html: string,
  untracked: string[] = [],
): Promise<string> {
  const rewritten = rewriteEmailHtml(html, {
    baseUrl: settings.publicBaseUrl,
    sign: trackingSigner(settings.secret, deliveryId),
    untracked,
  });
  await storeDeliveryLinks(db, deliveryId, rewritten.links);
  return rewritten.html;
}
