import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { findDeliveryLink } from '../../tracking/delivery-links';
import { classifyEngagement } from '../../tracking/machine-engagement';
import { loadTrackedDelivery } from '../../deliveries/tracked-delivery';
import {
  recordEngagement,
  type EngagementDeps,
  type EngagementType,
} from '../../tracking/record-engagement';
import { verifyTrackingToken, type TrackingKind } from '../../tracking/tracking-token';
import { describeFailure } from '../../db/safe-error';
import type { ApiDeps } from '../deps';
import { htmlDocument } from '../unsubscribe/html';

type Config = NonNullable<ApiDeps['tracking']>;
type TokenRequest = FastifyRequest<{ Params: { token: string } }>;

/** A 1×1 transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const NO_CACHE = {
  'cache-control': 'no-store, no-cache, must-revalidate, max-age=0',
  pragma: 'no-cache',
  expires: '0',
  'referrer-policy': 'no-referrer',
};
const TAGS = ['tracking'];

/**
 * The public tracking routes, outside the API key, authorised by the signed token in the path:
 * the open pixel /t/o/:token, email click redirects /t/c/:token and SMS short links /t/s/:token.
 * A redirect only ever goes to the URL stored for that delivery's link (never one from the
 * request), and an invalid token records nothing. Not registered unless tracking is configured.
 */
export const trackingRoutes: FastifyPluginCallback<{ deps: ApiDeps }> = (app, { deps }, done) => {
  const config = deps.tracking;
  if (!config) return done();
  const shared: EngagementDeps = {
    db: deps.db,
    excludeMachineEngagement: config.excludeMachineEngagement,
    ...(deps.outboxSignal ? { outboxSignal: deps.outboxSignal } : {}),
  };

  app.route({
    method: ['GET', 'HEAD'],
    url: '/t/o/:token',
    schema: {
      tags: TAGS,
      summary: 'Open pixel',
      description:
        'Always a 1×1 transparent GIF, never cached; a valid GET records an email_opened event ' +
        '(flagged when a privacy proxy or scanner made it). An invalid token records nothing.',
    },
    handler: async (request: TokenRequest, reply) => {
      try {
        await recordOpen(config, shared, request);
      } catch (error) {
        // The mail client still gets its image: a failed open must not show a broken picture.
        request.log.error({ error: describeFailure(error) }, 'recording an open failed');
      }
      return reply
        .code(200)
        .headers({ ...NO_CACHE, 'content-type': 'image/gif' })
        .send(PIXEL);
    },
  });

  for (const [path, kind] of [
    ['/t/c/:token', 'click'],
    ['/t/s/:token', 'sms_click'],
  ] as const) {
    app.route({
      method: ['GET', 'HEAD'],
      url: path,
      schema: {
        tags: TAGS,
        summary: kind === 'click' ? 'Email click redirect' : 'SMS short link',
        description:
          '302 to the URL stored for the token’s delivery and link, after recording the click ' +
          '(HEAD redirects without recording: scanners check links with it). An invalid token or ' +
          'an unknown delivery or link answers 404 with an error page and records nothing.',
      },
      handler: (request: TokenRequest, reply) => followLink(config, shared, kind, request, reply),
    });
  }
  done();
};

async function recordOpen(config: Config, deps: EngagementDeps, request: TokenRequest) {
  // A HEAD reads no image: nobody opened anything.
  if (request.method !== 'GET') return;
  const verified = verifyTrackingToken(config.secret, request.params.token);
  if (!verified.valid || verified.claims.kind !== 'open') return;
  const delivery = await loadTrackedDelivery(deps.db, verified.claims.deliveryId);
  if (!delivery) return;
  const now = new Date();
  const flags = classifyEngagement({
    kind: 'open',
    method: request.method,
    userAgent: request.headers['user-agent'],
    sentAt: delivery.sentAt,
    now,
  });
  await recordEngagement(deps, {
    deliveryId: delivery.id,
    type: 'email_opened',
    flags,
    occurredAt: now,
    delivery,
  });
}

async function followLink(
  config: Config,
  deps: EngagementDeps,
  kind: Extract<TrackingKind, 'click' | 'sms_click'>,
  request: TokenRequest,
  reply: FastifyReply,
) {
  const verified = verifyTrackingToken(config.secret, request.params.token);
  if (!verified.valid || verified.claims.kind !== kind) return notFound(reply);
  const { deliveryId, linkIndex = 0 } = verified.claims;
  const delivery = await loadTrackedDelivery(deps.db, deliveryId);
  const stored = delivery ? await findDeliveryLink(deps.db, deliveryId, linkIndex) : null;
  const location = stored === null ? null : redirectTarget(stored);
  if (!delivery || location === null) return notFound(reply);
  if (request.method === 'GET') {
    const now = new Date();
    const type: EngagementType = kind === 'click' ? 'email_clicked' : 'sms_clicked';
    const flags = classifyEngagement({
      kind: 'click',
      method: request.method,
      userAgent: request.headers['user-agent'],
      sentAt: delivery.sentAt,
      now,
    });
    try {
      await recordEngagement(deps, {
        deliveryId,
        type,
        linkIndex,
        flags,
        occurredAt: now,
        delivery,
      });
    } catch (error) {
      // The customer still reaches the page they clicked; the failure is visible in the log.
      request.log.error({ deliveryId, error: describeFailure(error) }, 'recording a click failed');
    }
  }
  return reply
    .code(302)
    .headers({ ...NO_CACHE, location })
    .send();
}

/** The stored URL as a header value (non-ASCII percent-encoded), only ever http(s). */
function redirectTarget(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

function notFound(reply: FastifyReply) {
  const page = htmlDocument(
    'Link not valid',
    '<h1>This link is not valid</h1><p class="error">It may be incomplete or altered. ' +
      'Please use the link from the original message.</p>',
  );
  return reply
    .code(404)
    .headers({
      ...NO_CACHE,
      'content-type': 'text/html; charset=utf-8',
      'x-robots-tag': 'noindex',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    })
    .send(page);
}
