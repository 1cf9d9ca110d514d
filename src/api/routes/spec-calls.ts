import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { errorResponseSchema } from '../../contract/common';
import {
  specBatchSchema,
  specCallSchemas,
  specResultSchema,
  SPEC_CALL_TYPES,
  type SpecMessage,
} from '../../contract/spec-calls';
import {
  collapseDuplicateRuns,
  DEFAULT_MERGE_RULES,
  ErasedCustomerError,
  MergeError,
  NoIdentifierError,
} from '../../identity';
import { describeFailure } from '../../db/safe-error';
import {
  applySpecCalls,
  SpecCallRefused,
  type SpecCallDeps,
} from '../../ingestion/apply-spec-calls';
import type { BatchDefaults } from '../../ingestion/spec-effects';
import { ProfileWriteRefused } from '../../privacy/profile-writes';
import { CustomerErasedError, OversizedEventError } from '../../routing/record-events';
import type { ApiDeps } from '../deps';
import { routingDeps } from '../routing-deps';
import { ApiError, customerErased } from '../errors';
import { writeKeyAuth } from '../write-key-auth';

const basicSecurity: Record<string, string[]>[] = [{ writeKey: [] }, { bearerAuth: [] }];
const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  409: errorResponseSchema,
  410: errorResponseSchema,
  413: errorResponseSchema,
};

/**
 * Segment's HTTP tracking API under /v1: POST /v1/identify, /track, /page, /screen, /group,
 * /alias and /batch take the bodies Segment's libraries send, so a library (or a Segment
 * destination) only needs Cairn's host. Each request is applied all or nothing; a replayed
 * messageId changes nothing.
 */
export const specCallRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (
  app,
  { deps },
  done,
) => {
  app.addHook('preValidation', writeKeyAuth(deps.apiKeys, deps.writeKeys ?? []));
  const specDeps: SpecCallDeps = {
    db: deps.db,
    mergeRules: deps.mergeRules ?? DEFAULT_MERGE_RULES,
    identifierKey: deps.privacy?.identifierKey,
    emailMarketingDefault: deps.emailMarketingDefault ?? 'opted_in',
    maxEventBytes: deps.maxEventBytes,
  };
  const apply = async (
    log: FastifyBaseLogger,
    source: string,
    messages: SpecMessage[],
    defaults: BatchDefaults,
    at: (i: number) => string,
  ) => {
    const applied = await applySpecCalls(specDeps, messages, defaults, {
      source,
      receivedAt: new Date(),
    }).catch((error: unknown) => {
      throw error instanceof SpecCallRefused ? refusal(error, at) : error;
    });
    if (applied.messages.some((a) => !a.duplicate)) deps.outboxSignal?.notify();
    await collapseMerged(applied.mergedInto, log);
    return { success: true as const, messages: applied.messages };
  };
  /**
   * A merge can leave the survivor in a journey twice (its run and the visitor's); the later is
   * cancelled once the merge has committed. The calls are stored whatever Temporal says: a failure
   * is logged, not answered; the merge's customer_merged event has the router cancel it then.
   */
  const collapseMerged = async (survivors: string[], log: FastifyBaseLogger) => {
    for (const survivor of survivors) {
      await collapseDuplicateRuns(routingDeps(deps, log), survivor).catch((error: unknown) =>
        log.warn(
          { customerId: survivor, error: describeFailure(error) },
          'runs duplicated by a merge could not be cancelled',
        ),
      );
    }
  };

  for (const type of SPEC_CALL_TYPES) {
    app.post(
      `/${type}`,
      {
        schema: {
          tags: ['spec'],
          summary: `Segment spec: ${type}`,
          description: DESCRIPTIONS[type],
          security: basicSecurity,
          body: specCallSchemas[type],
          response: { 200: specResultSchema, ...errors },
        },
      },
      async (request) =>
        apply(
          request.log,
          request.specSource ?? 'api',
          [{ ...request.body, type } as SpecMessage],
          {},
          () => '',
        ),
    );
  }

  app.post(
    '/batch',
    {
      schema: {
        tags: ['spec'],
        summary: 'Segment spec: a batch of calls, in order, all or nothing',
        description:
          'What analytics-node and the other Segment libraries send: {batch: [...], sentAt}. Any ' +
          'invalid call refuses the whole batch (issues name it, e.g. "batch.3.event") and nothing ' +
          'is applied.',
        security: basicSecurity,
        body: specBatchSchema,
        response: { 200: specResultSchema, ...errors },
      },
    },
    async (request) =>
      apply(
        request.log,
        request.specSource ?? 'api',
        request.body.batch,
        { sentAt: request.body.sentAt, context: request.body.context },
        (i) => `batch.${i}.`,
      ),
  );
  done();
};

const DESCRIPTIONS: Record<(typeof SPEC_CALL_TYPES)[number], string> = {
  identify:
    'traits update the profile (email and phone into its fields, the rest as snake_case ' +
    'attributes); a userId with the anonymousId that browsed before makes them one customer.',
  track:
    'Stored as a Cairn event under its canonical name ("Order Completed" → purchase), with ' +
    'messageId as the event id; it triggers and signals journeys like POST /v1/events.',
  page: 'Stored as a page_view event with name, category and the properties.',
  screen: 'Stored as a screen_view event with name, category and the properties.',
  group: "Sets the profile's group_id and group (the group's traits).",
  alias:
    'The customer previousId stood for (a former userId, an anonymous visitor) merges into userId.',
};

/** A refused call as the 4xx that names it; nothing of the request was applied. */
function refusal(error: SpecCallRefused, at: (i: number) => string): unknown {
  const paths = (field: string) => error.indexes.map((i) => `${at(i)}${field}`);
  const cause = error.cause;
  if (cause instanceof CustomerErasedError) return customerErased(paths('userId'));
  if (cause instanceof ErasedCustomerError) return customerErased(paths(cause.field));
  if (cause instanceof ProfileWriteRefused) {
    if (cause.reason === 'customer_erased') return customerErased(paths('userId'));
    const field = cause.field === 'id' ? 'userId' : `traits.${cause.field}`;
    return new ApiError(409, cause.reason, 'a call names an erased customer or identifier', [
      ...paths(field).map((path) => ({
        path,
        message:
          cause.reason === 'erasure_in_progress'
            ? 'an erasure of this customer is running'
            : 'belongs to an erased customer; a new sign-up goes through PUT /v1/customers/{id} with "newOptIn": true',
      })),
    ]);
  }
  if (cause instanceof OversizedEventError) {
    return new ApiError(413, 'event_too_large', 'an event is too large; nothing was stored', [
      ...paths('properties').map((path) => ({
        path,
        message: `properties must stay within ${cause.limitBytes} bytes of JSON`,
      })),
    ]);
  }
  if (cause instanceof NoIdentifierError) {
    return new ApiError(400, 'validation_failed', 'a call names no usable identifier', [
      ...paths('userId').map((path) => ({
        path,
        message: 'userId or anonymousId must be a real id, not a placeholder such as "null"',
      })),
    ]);
  }
  if (cause instanceof MergeError) {
    const merge = cause;
    return new ApiError(409, merge.code, 'an alias cannot merge these customers', [
      ...paths(merge.field === 'from' ? 'previousId' : 'userId').map((path) => ({
        path,
        message: merge.message,
      })),
    ]);
  }
  return cause;
}
