import { truncateText } from '../../channels/text-fit';
import { renderEmail } from '../../templates/render';
import type { PrepareMessage } from './driver';

/** Email: the customer's address, unless they opted out of email. */
export const prepareEmail: PrepareMessage<'email'> = async ({ deps, customer, content, scope }) => {
  if (!customer.email) return { skipped: 'no_email' };
  // Marketing and transactional alike for now; suppression and topics refine this later.
  if (customer.consent.email === 'opted_out') return { skipped: 'no_consent' };
  const rendered = renderEmail(content, scope);
  // The subject is adapted like a push title: cut at a word, never inside a character.
  rendered.subject = truncateText(rendered.subject, deps.config.emailSubjectMax ?? 78).text;
  const to = customer.email;
  return Promise.resolve({
    recipient: to,
    summary: rendered.subject,
    send: (deliveryId) =>
      deps.email.send({ deliveryId, to, ...rendered, from: deps.config.emailFrom }),
  });
};
