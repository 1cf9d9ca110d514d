import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { errorResponseSchema } from '../../contract/common';
import {
  eventBatchResultSchema,
  eventBatchSchema,
  eventInputSchema,
  eventResultSchema,
  type EventResult,
} from '../../contract/events';
import type { JsonObject } from '../../journeys/run-types';
import {
  storeEvents,
  UnknownCustomerError,
  type IncomingEvent,
  type StoredEvent,
} from '../../routing/ingest';
import { eventsNamingForeignDeliveries } from '../../routing/event-deliveries';
import { routeInline } from '../../routing/outbox';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { authErrors, bearerSecurity } from '../route-support';
import { routingDeps } from '../routing-deps';

const DEFAULT_LEASE_MS = 60_000;

export const eventRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  const ingest = async (items: IncomingEvent[], pathOf: (index: number) => string, log: ApiLog) => {
    const stored = await store(deps, items, pathOf);
    const fresh = stored.flatMap((s) => (s.event ? [s.event] : []));
    const routed = await routeInline(routingDeps(deps, log), fresh);
    return stored.map((s): EventResult => ({
      id: s.id,
      duplicate: s.duplicate,
      // A repeat inside the same batch reports its first copy's routing.
      routed: routed.get(s.id) ?? s.routed,
    }));
  };

  app.post(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Ingest one event',
        description:
          'Stored first (deduplicated by id), then routed to journey triggers and listening runs. ' +
          '202 {routed: false} means stored; the background router delivers it when Temporal answers. ' +
          'A duplicate id answers 200 {duplicate: true} and routes nothing.',
        security: bearerSecurity,
        body: eventInputSchema,
        response: {
          200: eventResultSchema,
          202: eventResultSchema,
          ...authErrors,
          404: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const [result] = await ingest([incoming(request.body)], () => 'customerId', request.log);
      const single = result as EventResult;
      return reply.code(single.duplicate ? 200 : 202).send(single);
    },
  );

  app.post(
    '/events/batch',
    {
      schema: {
        tags: ['events'],
        summary: 'Ingest up to 500 events, all or nothing',
        description:
          'Any invalid item (or unknown customer) rejects the whole batch and stores nothing; issues ' +
          'name the item, e.g. "items.3.occurredAt".',
        security: bearerSecurity,
        body: eventBatchSchema,
        response: { 202: eventBatchResultSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request, reply) => {
      const items = await ingest(
        request.body.items.map(incoming),
        (i) => `items.${i}.customerId`,
        request.log,
      );
      return reply.code(202).send({ items });
    },
  );
  done();
};

type ApiLog = Parameters<typeof routingDeps>[1];

function incoming(body: {
  id: string;
  customerId: string;
  type: string;
  occurredAt?: string;
  properties?: Record<string, unknown>;
  deliveryId?: string;
}): IncomingEvent {
  return {
    id: body.id,
    customerId: body.customerId,
    type: body.type,
    ...(body.occurredAt ? { occurredAt: body.occurredAt } : {}),
    // The run sees which of its messages the event is about (engagement.<step> conditions).
    properties: {
      ...((body.properties ?? {}) as JsonObject),
      ...(body.deliveryId ? { deliveryId: body.deliveryId } : {}),
    },
    ...(body.deliveryId ? { deliveryId: body.deliveryId } : {}),
  };
}

/** An event may only name a delivery of its own customer; nothing is stored otherwise. */
async function checkDeliveries(
  deps: ApiDeps,
  items: IncomingEvent[],
  pathOf: (index: number) => string,
): Promise<void> {
  const foreign = await eventsNamingForeignDeliveries(deps.db, items);
  if (foreign.length === 0) return;
  throw new ApiError(
    404,
    'delivery_not_found',
    'event names an unknown delivery; nothing was stored',
    foreign.map((index) => ({
      path: pathOf(index).replace(/customerId$/, 'deliveryId'),
      message: 'no delivery with this id for this customer',
    })),
  );
}

async function store(
  deps: ApiDeps,
  items: IncomingEvent[],
  pathOf: (index: number) => string,
): Promise<StoredEvent[]> {
  await checkDeliveries(deps, items, pathOf);
  try {
    return await storeEvents(deps.db, items, {
      now: new Date(),
      leaseMs: deps.eventLeaseMs ?? DEFAULT_LEASE_MS,
    });
  } catch (error) {
    if (!(error instanceof UnknownCustomerError)) throw error;
    const issues = error.indexes.map((index) => ({
      path: pathOf(index),
      message: 'no customer with this id; create it with PUT /v1/customers/{id} first',
    }));
    throw new ApiError(
      404,
      'customer_not_found',
      'event for an unknown customer; nothing was stored',
      issues,
    );
  }
}
