import { Agent as HttpAgent } from 'node:http';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type { OutboundSms, SendReceipt, SmsChannel } from './channel';
import { ChannelError } from './channel';
import { isE164 } from './phone-number';
import { classifyTwilioError } from './twilio-errors';

export interface SmsChannelOptions {
  /** TWILIO_ACCOUNT_SID (AC…). */
  accountSid: string;
  /** TWILIO_AUTH_TOKEN. */
  authToken: string;
  /** TWILIO_FROM: the sending number in E.164. Exactly one of from / messagingServiceSid. */
  from?: string;
  /** TWILIO_MESSAGING_SERVICE_SID (MG…): Twilio picks the sender from the service's pool. */
  messagingServiceSid?: string;
  /**
   * Replaces https://api.twilio.com (tests and local wire-format servers). Production leaves it
   * unset and the SDK talks to Twilio itself.
   */
  apiBaseUrl?: string;
  /**
   * Public URL of POST /v1/webhooks/twilio/status. Each message's callback carries its delivery
   * id (?deliveryId=…), so a callback that outruns the ledger write still finds its delivery.
   */
  statusCallbackUrl?: string;
  /** Per-request deadline; a timeout is transient. Default 15 s. */
  timeoutMs?: number;
}

const TWILIO_API = 'https://api.twilio.com';

/**
 * SMS through the twilio SDK. The SDK's own 429 auto-retry stays off: retries belong to the
 * send activity's retry policy, which the ledger makes safe.
 */
export function createSmsChannel(options: SmsChannelOptions): SmsChannel {
  const sender = senderOf(options);
  const httpClient = new RoutedRequestClient(options.apiBaseUrl, options.timeoutMs ?? 15_000);
  const client = twilio(options.accountSid, options.authToken, { httpClient, autoRetry: false });

  return {
    name: 'sms',
    async send(message: OutboundSms): Promise<SendReceipt> {
      // Checked here too: an invalid number costs a Twilio request and an error 21211.
      if (!isE164(message.to)) throw new ChannelError('sms', 'permanent', 'invalid_phone_number');
      let created;
      try {
        created = await client.messages.create({
          to: message.to,
          body: message.text,
          ...sender,
          ...statusCallback(options.statusCallbackUrl, message.deliveryId),
        });
      } catch (error) {
        throw classifyTwilioError(error);
      }
      return {
        providerMessageId: created.sid,
        providerCode: created.status,
        detail: { segments: Number(created.numSegments) || null },
      };
    },
    close(): Promise<void> {
      httpClient.destroy();
      return Promise.resolve();
    },
  };
}

function senderOf(options: SmsChannelOptions): { from: string } | { messagingServiceSid: string } {
  if (options.from && options.messagingServiceSid) {
    throw new Error('SMS sender: set either a from number or a messaging service SID, not both');
  }
  if (options.messagingServiceSid) {
    if (!/^MG[0-9a-fA-F]{32}$/.test(options.messagingServiceSid)) {
      throw new Error('SMS sender: the messaging service SID must look like MG followed by 32 hex');
    }
    return { messagingServiceSid: options.messagingServiceSid };
  }
  if (options.from) {
    if (!isE164(options.from)) throw new Error('SMS sender: the from number must be E.164');
    return { from: options.from };
  }
  throw new Error('SMS sender: set a from number or a messaging service SID');
}

function statusCallback(url: string | undefined, deliveryId: string) {
  if (!url) return {};
  const withId = new URL(url);
  withId.searchParams.set('deliveryId', deliveryId);
  return { statusCallback: withId.toString() };
}

/**
 * The SDK's request client, pointed at another base URL when one is given: the SDK builds every
 * request exactly as for Twilio (path, form body, basic auth), only the origin changes.
 */
class RoutedRequestClient extends twilio.RequestClient {
  private readonly httpAgent = new HttpAgent({ keepAlive: true });

  constructor(
    private readonly apiBaseUrl: string | undefined,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs, keepAlive: true });
    this.axios.defaults.httpAgent = this.httpAgent;
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const base = this.apiBaseUrl?.replace(/\/+$/, '');
    if (base && opts.uri.startsWith(TWILIO_API)) {
      return super.request({ ...opts, uri: base + opts.uri.slice(TWILIO_API.length) });
    }
    return super.request(opts);
  }

  destroy(): void {
    this.httpAgent.destroy();
    const httpsAgent: unknown = this.axios.defaults.httpsAgent;
    if (httpsAgent instanceof Object && 'destroy' in httpsAgent) {
      (httpsAgent as { destroy(): void }).destroy();
    }
  }
}
