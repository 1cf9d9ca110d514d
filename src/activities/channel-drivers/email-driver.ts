import { truncateText } from '../../channels/text-fit';
import { isSuppressed } from '../../guardrails/suppression';
import { renderEmail } from '../../templates/render';
import { trackEmailHtml } from '../../tracking/track-email';
import type { PrepareMessage } from './driver';

/**
 * Email: the customer's address, unless it is suppressed (bounces, complaints: no message kind
 * passes that) or the customer opted out of email (transactional mail still goes: receipts and
 * password resets are not marketing). Marketing mail carries one-click unsubscribe headers.
 */
export const prepareEmail: PrepareMessage<'email'> = async (input) => {
  const { deps, customer, content, scope, messageKind } = input;
  if (!customer.email) return { skipped: 'no_email' };
  const suppression = await isSuppressed(deps.db, 'email', customer.email);
  if (suppression.suppressed) return { skipped: 'suppressed' };
  // Marketing email without a recorded choice follows the deployment's default.
  const consent = customer.consent.email ?? deps.config.emailMarketingDefault ?? 'opted_in';
  if (messageKind === 'marketing' && consent !== 'opted_in') return { skipped: 'no_consent' };
  const rendered = renderEmail(content, scope);
  // The subject is adapted like a push title: cut at a word, never inside a character.
  rendered.subject = truncateText(rendered.subject, deps.config.emailSubjectMax ?? 78).text;
  const to = customer.email;
  const unsubscribe = messageKind === 'marketing' ? scope.links.unsubscribe : undefined;
  // Links are rewritten and stored before the row is claimed: a database error here retries the
  // activity instead of leaving a claimed send whose outcome is unknown.
  const tracking = input.tracking === false ? undefined : deps.config.tracking;
  const html = tracking
    ? await trackEmailHtml(deps.db, tracking, input.deliveryId, rendered.html, untrackedLinks(deps))
    : rendered.html;
  return {
    recipient: to,
    summary: rendered.subject,
    // The unsubscribe link stays as it is: one-click and mail clients must reach it directly.
    send: (deliveryId) =>
      deps.email.send({
        deliveryId,
        to,
        ...rendered,
        html,
        from: deps.config.emailFrom,
        ...(unsubscribe ? { listUnsubscribe: { url: unsubscribe } } : {}),
      }),
  };
};

function untrackedLinks(deps: { config: { unsubscribe?: { publicBaseUrl: string } } }): string[] {
  const base = deps.config.unsubscribe?.publicBaseUrl.replace(/\/+$/, '');
  return base ? [`${base}/u/`] : [];
}
