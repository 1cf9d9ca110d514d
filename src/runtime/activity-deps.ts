import { createActivities, type JourneyActivities } from '../activities';
import { createEmailChannel } from '../channels/email-channel';
import type { Config } from '../config';
import type { Database } from '../db/database';

/** The production wiring of the activities: real Postgres, real SMTP. */
export function activitiesFromConfig(config: Config, db: Database, smtpUrl: string): JourneyActivities {
  return createActivities({
    db,
    email: createEmailChannel({ url: smtpUrl, from: config.emailFrom }),
    config: {
      companyName: config.companyName,
      appUrl: config.appUrl,
      defaultTimeZone: config.defaultTimeZone,
    },
  });
}
