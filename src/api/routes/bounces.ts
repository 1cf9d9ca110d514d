import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { ApiIssue } from '../../contract/common';
import {
  bounceWebhookResultSchema,
  bounceWebhookSchema,
  type BounceReportItem as BounceItem,
  type BounceWebhookResult,
} from '../../contract/bounces';
import { recordBounces, type BounceReport } from '../../bounces/record-bounce';
import { normaliseAddress } from '../../guardrails/suppression';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { authErrors, bearerSecurity } from '../route-support';

/**
 * POST /v1/webhooks/bounces: bounces and complaints from any email service provider, translated
 * into one neutral shape. Behind the API key like the rest of /v1 (a relay holds the key; ESPs
 * that cannot send headers go through one).
 */
export const bounceRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.post(
    '/webhooks/bounces',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Report bounces and complaints (up to 500, all or nothing)',
        description:
          'hard_bounce and complaint suppress the address on its channel (nothing is sent to it ' +
          'again, transactional included); soft_bounce only records. The delivery, found by ' +
          'deliveryId or providerMessageId, shows the bounce, and an email_bounced / ' +
          'email_complained event linked to it is stored for journeys and the timeline. Any ' +
          'invalid item rejects the batch with issues naming it, e.g. "events.2.address". ' +
          'Repeating a report changes nothing.',
        security: bearerSecurity,
        body: bounceWebhookSchema,
        response: { 200: bounceWebhookResultSchema, ...authErrors },
      },
    },
    async (request) => {
      const items = request.body.events;
      assertAddresses(items);
      const now = new Date();
      const reports = items.map((item) => toReport(item, now));
      const counts = await recordBounces(deps.db, reports, { now });
      const result: BounceWebhookResult = { received: items.length, ...counts };
      request.log.info({ ...result }, 'bounce reports recorded');
      if (counts.eventsStored > 0) deps.outboxSignal?.notify();
      return result;
    },
  );
  done();
};

/** Every address must suit its channel before anything is stored; issues never echo values. */
function assertAddresses(items: BounceItem[]): void {
  const issues: ApiIssue[] = items.flatMap((item, index) => {
    const normalised = normaliseAddress(item.channel, item.address);
    return normalised.ok ? [] : [{ path: `events.${index}.address`, message: normalised.problem }];
  });
  if (issues.length > 0) {
    throw new ApiError(
      400,
      'validation_failed',
      'invalid request body; nothing was stored',
      issues,
    );
  }
}

function toReport(item: BounceItem, now: Date): BounceReport {
  return {
    channel: item.channel,
    address: item.address,
    kind: item.type,
    source: 'bounce_webhook',
    occurredAt: item.occurredAt ? new Date(item.occurredAt) : now,
    ...(item.deliveryId ? { deliveryId: item.deliveryId } : {}),
    ...(item.providerMessageId ? { providerMessageId: item.providerMessageId } : {}),
    ...(item.reason ? { code: item.reason } : {}),
  };
}
