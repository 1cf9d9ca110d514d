import { createActivities, type JourneyActivities } from '../activities';
import { createEmailChannel } from '../channels/email-channel';
import { createInAppChannel } from '../channels/in-app-channel';
import { createPushChannel } from '../channels/push-channel';
import { createSmsChannel } from '../channels/sms-channel';
import { createWebhookChannel } from '../channels/webhook-channel';
import type { Config } from '../config';
import type { Database } from '../db/database';

/** The links templates may use ({{links.<name>}}), under the app's own URL. */
export function templateLinks(appUrl: string): Record<string, string> {
  const base = appUrl.replace(/\/+$/, '');
  return {
    app: base,
    onboarding: `${base}/onboarding`,
    help_center: `${base}/help`,
    profile: `${base}/profile`,
    checkout: `${base}/checkout`,
    shop: base,
    survey: `${base}/survey`,
  };
}

/** The production wiring of the activities: real Postgres, real SMTP. */
export function activitiesFromConfig(
  config: Config,
  db: Database,
  smtpUrl: string,
): JourneyActivities {
  return createActivities({
    db,
    email: createEmailChannel({ url: smtpUrl, from: config.emailFrom }),
    config: {
      companyName: config.companyName,
      appUrl: config.appUrl,
      links: templateLinks(config.appUrl),
      defaultTimeZone: config.defaultTimeZone,
    },
  });
}
