import type { ApiDeps } from '../deps';
import type { Config } from '../../config';

/** The API's Twilio webhook settings: present only when Twilio is configured. */
export function twilioWebhooks(config: Config): Pick<ApiDeps, 'twilio'> {
  if (!config.twilio) return {};
  return {
    twilio: {
      authToken: config.twilio.authToken,
      publicBaseUrl: config.publicApiUrl,
      helpText: config.sms.helpText,
    },
  };
}
