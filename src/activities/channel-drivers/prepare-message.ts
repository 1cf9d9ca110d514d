import { unsubscribeLinks } from '../../guardrails/unsubscribe-links';
import type { ChannelName } from '../../journeys/channel-content';
import { TemplateError } from '../../templates/template-error';
import { buildTemplateScope } from '../../templates/template-scope';
import type { CustomerRow } from '../../customers';
import { templateVariables } from '../send-request';
import type { ActivityDeps, SendMessageRequest } from '../types';
import type { ChannelDriver, NotSendable, PreparedMessage, Recipient } from './driver';
import { emailDriver } from './email-driver';
import { inAppDriver } from './in-app-driver';
import { pushDriver } from './push-driver';
import { smsDriver } from './sms-driver';
import { webhookDriver } from './webhook-driver';

const DRIVERS: { [C in ChannelName]: ChannelDriver<C> } = {
  email: emailDriver,
  sms: smsDriver,
  push: pushDriver,
  webhook: webhookDriver,
  in_app: inAppDriver,
};

export function driverFor(channel: ChannelName): ChannelDriver<ChannelName> {
  return DRIVERS[channel];
}

export interface PrepareRequest {
  deps: ActivityDeps;
  request: SendMessageRequest;
  customer: CustomerRow;
  /** The recipient the send checks allowed. */
  recipient: Recipient;
  deliveryId: string;
}

/**
 * Renders and adapts the message on its channel's driver, with the template scope of this
 * customer and run. A template that does not render comes back as its TemplateError.
 */
export async function prepareMessage(
  input: PrepareRequest,
): Promise<PreparedMessage | NotSendable | TemplateError> {
  const { deps, request, customer, deliveryId } = input;
  const { trigger, context } = templateVariables(request);
  const links = {
    ...(deps.config.appUrl ? { app: deps.config.appUrl } : {}),
    ...deps.config.links,
    ...messageUnsubscribeLinks(deps, request, deliveryId),
  };
  const scope = buildTemplateScope(customer, trigger, context, { ...deps.config, links });
  try {
    // The request was validated at the boundary: content matches the channel.
    return await driverFor(request.channel).prepare({
      deps,
      customer,
      recipient: input.recipient,
      content: request.content,
      scope,
      messageKind: request.messageKind,
      deliveryId,
      ...(request.topic ? { topic: request.topic } : {}),
      ...(request.tracking === false ? { tracking: false } : {}),
    });
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
}

/** {{links.unsubscribe}} and {{links.preferences}}, signed for this customer, channel and topic. */
function messageUnsubscribeLinks(
  deps: ActivityDeps,
  request: SendMessageRequest,
  deliveryId: string,
) {
  const settings = deps.config.unsubscribe;
  if (!settings || !isUnsubscribeChannel(request.channel)) return {};
  return unsubscribeLinks(settings, {
    customerId: request.customerId,
    channel: request.channel,
    deliveryId,
    ...(request.topic ? { topic: request.topic } : {}),
  });
}

function isUnsubscribeChannel(channel: string): channel is 'email' | 'sms' | 'push' {
  return channel === 'email' || channel === 'sms' || channel === 'push';
}
