import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { customerParamsSchema, errorResponseSchema } from '../../contract/common';
import {
  customerTopicInputSchema,
  customerTopicListSchema,
  customerTopicParamsSchema,
  customerTopicSchema,
  topicInputSchema,
  topicListSchema,
  topicParamsSchema,
  topicUpsertResponseSchema,
  type CustomerTopic,
  type Topic,
} from '../../contract/topics';
import type { Database } from '../../db/database';
import {
  findTopic,
  isSubscribed,
  listTopics,
  setTopicChoice,
  topicStates,
  upsertTopic,
  type TopicRow,
  type TopicState,
} from '../../guardrails/topics';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { authErrors, bearerSecurity, iso } from '../route-support';
import { requireCustomer } from './customers';
import { recordEvents } from '../../routing/record-events';
import { RESUBSCRIBE_EVENT, UNSUBSCRIBE_EVENT } from '../../guardrails/preferences';

const TAGS = ['topics'];

export const topicRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.put(
    '/topics/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Create or update a subscription topic',
        description:
          'opt_out: every customer gets the topic until they unsubscribe. opt_in: only customers ' +
          'who subscribed. A marketing message naming an unknown topic is never sent.',
        security: bearerSecurity,
        params: topicParamsSchema,
        body: topicInputSchema,
        response: { 200: topicUpsertResponseSchema, 201: topicUpsertResponseSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const { row, created } = await upsertTopic(deps.db, {
        id: request.params.id,
        name: request.body.name,
        description: request.body.description ?? null,
        mode: request.body.mode,
      });
      return reply.code(created ? 201 : 200).send({ topic: topicView(row), created });
    },
  );

  app.get(
    '/topics',
    {
      schema: {
        tags: TAGS,
        summary: 'Every subscription topic, by id',
        security: bearerSecurity,
        response: { 200: topicListSchema, ...authErrors },
      },
    },
    async () => ({ topics: (await listTopics(deps.db)).map(topicView) }),
  );

  app.put(
    '/customers/:id/topics/:topicId',
    {
      schema: {
        tags: TAGS,
        summary: "Record a customer's choice for a topic",
        security: bearerSecurity,
        params: customerTopicParamsSchema,
        body: customerTopicInputSchema,
        response: { 200: customerTopicSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      const { id, topicId } = request.params;
      await requireCustomer(deps.db, id);
      const topic = await requireTopic(deps.db, topicId);
      const { previous } = await setTopicChoice(deps.db, id, topicId, request.body.status);
      if (previous !== request.body.status) {
        await announceTopicChoice(deps, id, topicId, request.body.status);
      }
      return customerTopicView({
        topic,
        choice: request.body.status,
        subscribed: isSubscribed(topic.mode, request.body.status),
      });
    },
  );

  app.get(
    '/customers/:id/topics',
    {
      schema: {
        tags: TAGS,
        summary: "Every topic with the customer's choice and whether it reaches them",
        security: bearerSecurity,
        params: customerParamsSchema,
        response: { 200: customerTopicListSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      await requireCustomer(deps.db, request.params.id);
      const states = await topicStates(deps.db, request.params.id);
      return { topics: states.map(customerTopicView) };
    },
  );
  done();
};

async function requireTopic(db: Database, topicId: string): Promise<TopicRow> {
  const topic = await findTopic(db, topicId);
  if (!topic) {
    throw new ApiError(404, 'topic_not_found', 'no topic with this id', [
      { path: 'topicId', message: 'no topic with this id; create it with PUT /v1/topics/{id}' },
    ]);
  }
  return topic;
}

function topicView(row: TopicRow): Topic {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    mode: row.mode,
    createdAt: iso(row.createdAt),
  };
}

function customerTopicView(state: TopicState): CustomerTopic {
  return {
    topicId: state.topic.id,
    name: state.topic.name,
    mode: state.topic.mode,
    choice: state.choice,
    subscribed: state.subscribed,
  };
}

/**
 * A changed choice is an event like the preference page's, so running journeys that exit on
 * unsubscribe (or react to a resubscribe) hear of it.
 */
async function announceTopicChoice(
  deps: ApiDeps,
  customerId: string,
  topicId: string,
  status: 'subscribed' | 'unsubscribed',
): Promise<void> {
  const now = new Date();
  const stored = await recordEvents(
    deps.db,
    [
      {
        id: `topic:${customerId}:${topicId}:${status}:${now.getTime()}`,
        customerId,
        type: status === 'unsubscribed' ? UNSUBSCRIBE_EVENT : RESUBSCRIBE_EVENT,
        occurredAt: now.toISOString(),
        properties: { topic: topicId, source: 'api' },
      },
    ],
    { now, source: 'api' },
  );
  if (stored.some((s) => !s.duplicate)) deps.outboxSignal?.notify();
}
