import { truncateText } from '../../channels/text-fit';
import { renderEmail } from '../../templates/render';
import { withUnsubscribeFooter } from '../../templates/unsubscribe-footer';
import { trackEmailHtml } from '../../tracking/track-email';
import type { ChannelDriver } from './driver';

/**
 * Email: the customer's address; the subject cut to its limit, links tracked when configured, and
 * marketing mail with one-click unsubscribe headers and a visible unsubscribe footer.
 */
export const emailDriver: ChannelDriver<'email'> = {
  findRecipient: ({ customer }) =>
    Promise.resolve(
      customer.email
        ? { suppressionChannel: 'email', addresses: [customer.email] }
        : { skipped: 'no_email' },
    ),

  prepare: async (input) => {
    const { deps, content, scope, messageKind } = input;
    const to = input.recipient.addresses[0];
    if (!to) return { skipped: 'no_email' };
    const unsubscribe = messageKind === 'marketing' ? scope.links.unsubscribe : undefined;
    const body = renderEmail(content, scope);
    const rendered = unsubscribe
      ? withUnsubscribeFooter(body, { unsubscribe, preferences: scope.links.preferences })
      : body;
    // The subject is adapted like a push title: cut at a word, never inside a character.
    rendered.subject = truncateText(rendered.subject, deps.config.emailSubjectMax ?? 78).text;
    // Links are rewritten and stored before the row is claimed: a database error here retries the
    // activity instead of leaving a claimed send whose outcome is unknown.
    const tracking = input.tracking === false ? undefined : deps.config.tracking;
    const html = tracking
      ? await trackEmailHtml(
          deps.db,
          tracking,
          input.deliveryId,
          rendered.html,
          untrackedLinks(deps),
        )
      : rendered.html;
    return {
      recipient: to,
      summary: rendered.subject,
      // The unsubscribe link stays as it is: one-click and mail clients must reach it directly.
      ...(deps.email.awaitTurn ? { awaitTurn: deps.email.awaitTurn.bind(deps.email) } : {}),
      send: (deliveryId, turn) =>
        deps.email.send(
          {
            deliveryId,
            to,
            ...rendered,
            html,
            from: deps.config.emailFrom,
            ...(unsubscribe ? { listUnsubscribe: { url: unsubscribe } } : {}),
          },
          turn,
        ),
    };
  },
};

function untrackedLinks(deps: { config: { unsubscribe?: { publicBaseUrl: string } } }): string[] {
  const base = deps.config.unsubscribe?.publicBaseUrl.replace(/\/+$/, '');
  return base ? [`${base}/u/`] : [];
}
