import type { FastifyBaseLogger } from 'fastify';
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
import type { JourneyEvent } from '../../journeys/run-types';
import { routeInline } from '../../routing/outbox';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { authErrors, bearerSecurity } from '../route-support';
import { routingDeps } from '../routing-deps';

const DEFAULT_LEASE_MS = 60_000;

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
      const leaseMs = deps.eventLeaseMs ?? DEFAULT_LEASE_MS;
      const reports = items.map((item) => toReport(item, now));
      const { events, ...counts } = await recordBounces(deps.db, reports, { now, leaseMs });
      const result: BounceWebhookResult = {
        received: items.length,
        ...counts,
        eventsStored: events.length,
      };
      request.log.info({ ...result }, 'bounce reports recorded');
      await route(deps, events, request.log);
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

async function route(deps: ApiDeps, events: JourneyEvent[], log: FastifyBaseLogger) {
  if (events.length > 0) await routeInline(routingDeps(deps, log), events);
}
