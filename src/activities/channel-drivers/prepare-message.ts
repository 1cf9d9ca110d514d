import type { SendMessageRequest } from '../types';
import type { NotSendable, PrepareInput, PreparedMessage } from './driver';
import { prepareEmail } from './email-driver';
import { prepareInApp } from './in-app-driver';
import { preparePush } from './push-driver';
import { prepareSms } from './sms-driver';
import { prepareWebhook } from './webhook-driver';

type Common = Omit<PrepareInput<'email'>, 'content'>;

/** Hands the request to its channel's driver, with the content typed for that channel. */
export function prepareMessage(
  request: SendMessageRequest,
  common: Common,
): Promise<PreparedMessage | NotSendable> {
  // The request was validated at the boundary: content matches the channel.
  const message = request as SendMessageRequest & { content: never };
  switch (request.channel) {
    case 'email':
      return prepareEmail({ ...common, content: message.content });
    case 'sms':
      return prepareSms({ ...common, content: message.content });
    case 'push':
      return preparePush({ ...common, content: message.content });
    case 'webhook':
      return prepareWebhook({ ...common, content: message.content });
    case 'in_app':
      return prepareInApp({ ...common, content: message.content });
  }
}
