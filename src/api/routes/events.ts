import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { errorResponseSchema } from '../../contract/common';
import {
  eventBatchResultSchema,
  eventBatchSchema,
  eventInputSchema,
  eventParamsSchema,
  eventResultSchema,
  eventStateQuerySchema,
  eventStateSchema,
  MAX_EVENT_WAIT_MS,
  type EventResult,
  type EventState,
} from '../../contract/events';
import type { JsonObject } from '../../journeys/run-types';
import { awaitEventRouting, type EventRoutingState } from '../../routing/event-state';
import {
  CustomerErasedError,
  ForeignDeliveryError,
  OversizedEventError,
  recordEvents,
  UnknownCustomerError,
  type IncomingEvent,
} from '../../routing/record-events';
import { createEventCoalescer } from '../../routing/event-coalescer';
import type { ApiDeps } from '../deps';
import { ApiError, customerErased } from '../errors';
import { authErrors, bearerSecurity, iso, isoOrNull } from '../route-support';

export const eventRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  // Concurrent single events share one statement (and one commit): see event-coalescer.ts.
  const singles = createEventCoalescer(deps.db, {
    source: 'api',
    ...(deps.maxEventBytes ? { maxEventBytes: deps.maxEventBytes } : {}),
    onStored: () => deps.outboxSignal?.notify(),
  });
  app.post(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Ingest one event',
        description:
          'Stored (deduplicated by id) and answered 202 {routed: false} at once; the router then ' +
          'starts the journeys it triggers and signals the runs that listen, in the background, ' +
          'retrying while Temporal is unreachable. GET /v1/events/{id}?waitMs= tells when it is ' +
          'routed. A duplicate id answers 200 {duplicate: true} and stores nothing; its routed ' +
          'says whether the first copy has been routed. An event for an erased customer is 410 ' +
          'customer_erased (see DELETE /v1/customers/{id}).',
        security: bearerSecurity,
        body: eventInputSchema,
        response: {
          200: eventResultSchema,
          202: eventResultSchema,
          ...authErrors,
          404: errorResponseSchema,
          410: errorResponseSchema,
          413: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const single = await refusalsAsApiErrors(
        () => singles.record(incoming(request.body)),
        (field) => field,
      );
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
          'Stored in one statement and answered 202 at once, routed in the background like ' +
          'POST /v1/events. Any invalid item (or unknown or erased customer, or unknown delivery) ' +
          'rejects the whole ' +
          'batch and stores nothing; issues name the item, e.g. "items.3.occurredAt".',
        security: bearerSecurity,
        body: eventBatchSchema,
        response: {
          202: eventBatchResultSchema,
          ...authErrors,
          404: errorResponseSchema,
          410: errorResponseSchema,
          413: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const items = await ingest(
        deps,
        request.body.items.map(incoming),
        (field, index) => `items.${index}.${field}`,
      );
      return reply.code(202).send({ items });
    },
  );

  app.get(
    '/events/:id',
    {
      schema: {
        tags: ['events'],
        summary: "A stored event's routing state",
        description:
          'routed, when, how many attempts, the last routing error and the workflow ids of the ' +
          `runs it started. waitMs (0–${MAX_EVENT_WAIT_MS}, default 0) waits for it to be routed ` +
          'and answers the state when it is, or when the wait is over (routed: false).',
        security: bearerSecurity,
        params: eventParamsSchema,
        querystring: eventStateQuerySchema,
        response: { 200: eventStateSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      const state = await awaitEventRouting(deps.db, request.params.id, request.query.waitMs);
      if (!state) {
        throw new ApiError(404, 'event_not_found', 'no event with this id', [
          { path: 'id', message: 'no event with this id' },
        ]);
      }
      return stateView(state);
    },
  );
  done();
};

/** Stores the events and wakes the router; nothing is routed inside the request. */
function ingest(
  deps: ApiDeps,
  items: IncomingEvent[],
  pathOf: (field: 'customerId' | 'deliveryId' | 'properties', index: number) => string,
): Promise<EventResult[]> {
  return refusalsAsApiErrors(async () => {
    const recorded = await recordEvents(deps.db, items, {
      source: 'api',
      ...(deps.maxEventBytes ? { maxEventBytes: deps.maxEventBytes } : {}),
    });
    if (recorded.some((r) => !r.duplicate)) deps.outboxSignal?.notify();
    return recorded;
  }, pathOf);
}

/** Refused events as the 4xx that names them; nothing of the request was stored. */
async function refusalsAsApiErrors<T>(
  store: () => Promise<T>,
  pathOf: (field: 'customerId' | 'deliveryId' | 'properties', index: number) => string,
): Promise<T> {
  try {
    return await store();
  } catch (error) {
    if (error instanceof OversizedEventError) {
      throw new ApiError(
        413,
        'event_too_large',
        `event larger than ${error.limitBytes} bytes (properties); nothing was stored`,
        error.indexes.map((index) => ({
          path: pathOf('properties', index),
          message: `properties and flags must stay within ${error.limitBytes} bytes of JSON`,
        })),
      );
    }
    if (error instanceof CustomerErasedError)
      throw customerErased(error.indexes.map((i) => pathOf('customerId', i)));
    if (error instanceof ForeignDeliveryError) {
      throw new ApiError(
        404,
        'delivery_not_found',
        'event names an unknown delivery; nothing was stored',
        error.indexes.map((index) => ({
          path: pathOf('deliveryId', index),
          message: 'no delivery with this id for this customer',
        })),
      );
    }
    if (error instanceof UnknownCustomerError) {
      throw new ApiError(
        404,
        'customer_not_found',
        'event for an unknown customer; nothing was stored',
        error.indexes.map((index) => ({
          path: pathOf('customerId', index),
          message: 'no customer with this id; create it with PUT /v1/customers/{id} first',
        })),
      );
    }
    throw error;
  }
}

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
    properties: body.deliveryId
      ? { ...((body.properties ?? {}) as JsonObject), deliveryId: body.deliveryId }
      : ((body.properties ?? {}) as JsonObject),
    ...(body.deliveryId ? { deliveryId: body.deliveryId } : {}),
  };
}

function stateView(state: EventRoutingState): EventState {
  return {
    id: state.id,
    type: state.type,
    customerId: state.customerId,
    receivedAt: iso(state.receivedAt),
    routed: state.routed,
    routedAt: isoOrNull(state.routedAt),
    routingAttempts: state.routingAttempts,
    routingError: state.routingError,
    runsStarted: state.runsStarted,
  };
}
