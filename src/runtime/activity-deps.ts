import { readFileSync } from 'node:fs';
import { createActivities, type JourneyActivities } from '../activities';
import { createEmailChannel } from '../channels/email-channel';
import { createInAppChannel } from '../channels/in-app-channel';
import { fcmEndpointAgent, fixedAccessToken } from '../channels/fcm-endpoint';
import { createPushChannel } from '../channels/push-channel';
import { createSmsChannel } from '../channels/sms-channel';
import { createWebhookChannel } from '../channels/webhook-channel';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/database';
import { consentGateFor } from '../guardrails/consent-gate';
import type { ErasureTemporal } from '../privacy/customer-executions';
import type { IdentifierKey } from '../privacy/identifier-hash';

/**
 * The worker's Postgres pools, for openDatabase (src/worker.ts): the main pool the activities
 * and local activities query, and the consent gate's, on which each send in flight holds one
 * connection across its provider call. Measured with the journeys benchmark (see
 * JOURNEY_WORKER_TUNING): 20 + 20 did no better than 10 + 10 (0.48 and 0.49 of the bare
 * workflow's throughput, median of three rounds), and every worker process holds its pools
 * open against Postgres's max_connections (100 by default; four benchmark workers at 20 + 20
 * ran out: "sorry, too many clients already").
 */
export const WORKER_POOLS = { maxConnections: 10, gateConnections: 10 } as const;

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

/**
 * The production wiring of the activities: real Postgres, every configured provider, the
 * identifier key and a Temporal client for erasures (closing runs, deleting histories). A channel
 * without configuration is left out, and its messages skip with channel_not_configured (so their
 * fallback, if any, is used) instead of failing the run.
 */
export function activitiesFromConfig(
  config: Config,
  database: DatabaseHandle,
  smtpUrl: string,
  privacy: { identifierKey: IdentifierKey; temporal: ErasureTemporal },
): JourneyActivities {
  const { db } = database;
  return createActivities({
    db,
    identifierKey: privacy.identifierKey,
    erasure: { temporal: privacy.temporal, graceMs: config.erasureGraceMs },
    consentGate: consentGateFor(database),
    email: createEmailChannel({ url: smtpUrl, from: config.emailFrom }),
    ...(config.twilio
      ? { sms: createSmsChannel({ ...config.twilio, statusCallbackUrl: twilioStatusUrl(config) }) }
      : {}),
    ...(config.firebaseProjectId
      ? { push: pushChannelFromConfig(config.firebaseProjectId, config.fcmEndpoint) }
      : {}),
    ...(config.webhook ? { webhook: createWebhookChannel(config.webhook) } : {}),
    inApp: createInAppChannel({ db }),
    config: {
      companyName: config.companyName,
      appUrl: config.appUrl,
      links: templateLinks(config.appUrl),
      defaultTimeZone: config.defaultTimeZone,
      emailSubjectMax: config.emailSubjectMax,
      sms: { maxSegments: config.sms.maxSegments, overflow: config.sms.overflow },
      push: config.push,
      caps: config.frequencyCaps,
      emailMarketingDefault: config.emailMarketingDefault,
      ...(config.unsubscribe ? { unsubscribe: config.unsubscribe } : {}),
      ...(config.tracking
        ? {
            tracking: {
              secret: config.tracking.secret,
              publicBaseUrl: config.tracking.publicBaseUrl,
            },
          }
        : {}),
    },
  });
}

function twilioStatusUrl(config: Config): string {
  return `${config.publicApiUrl.replace(/\/+$/, '')}/v1/webhooks/twilio/status`;
}

/** Push through Google's FCM, or through the endpoint FCM_ENDPOINT names (staging, tests). */
export function pushChannelFromConfig(projectId: string, endpoint: Config['fcmEndpoint']) {
  if (!endpoint) return createPushChannel({ projectId });
  const ca = endpoint.caFile ? readFileSync(endpoint.caFile, 'utf8') : undefined;
  return createPushChannel({
    projectId,
    httpAgent: fcmEndpointAgent(endpoint.url, ca),
    ...(endpoint.accessToken ? { credential: fixedAccessToken(endpoint.accessToken) } : {}),
  });
}
