import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { bearerAuth } from './auth';
import { clientErrorHandler } from './client-errors';
import type { ApiDeps } from './deps';
import { frameworkError, installErrorHandlers } from './errors';
import { INPUT_LIMITS } from './input-limits';
import { installRequestGuards } from './request-guards';
import { bounceRoutes } from './routes/bounces';
import { codecRoutes } from './routes/codec';
import { conversionRoutes } from './routes/conversions';
import { customerRoutes } from './routes/customers';
import { deliveryRoutes } from './routes/deliveries';
import { deviceRoutes } from './routes/devices';
import { eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { importRoutes } from './routes/imports';
import { inboxRoutes } from './routes/inbox';
import { journeyRoutes } from './routes/journeys';
import { segmentImportRoutes } from './routes/segment-import';
import { lifecycleRoutes } from './routes/lifecycle';
import { scoreRoutes } from './routes/scores';
import { segmentRoutes } from './routes/segments';
import { specCallRoutes } from './routes/spec-calls';
import { sourceRoutes } from './routes/sources';
import { previewRoutes } from './routes/preview';
import { privacyRoutes } from './routes/privacy';
import { runRoutes } from './routes/runs';
import { suppressionRoutes } from './routes/suppressions';
import { timelineRoutes } from './routes/timeline';
import { topicRoutes } from './routes/topics';
import { trackingRoutes } from './routes/tracking';
import { twilioWebhookRoutes } from './routes/twilio-webhooks';
import { unsubscribeRoutes } from './routes/unsubscribe';

export type { ApiDeps } from './deps';

const MAX_PATH_PARAMETER_LENGTH = 2_048;

/** Never log bodies or credentials: only ids, methods, paths and timings. */
const REDACT = [
  'req.headers.authorization',
  'req.body',
  'res.body',
  'body',
  'headers.authorization',
];

/**
 * The HTTP API as a fastify instance, ready but not listening: tests call inject(), the `api`
 * process calls listen(). /v1/* needs a bearer API key; /health, /openapi.json and /docs do not.
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOption(deps.logger),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: INPUT_LIMITS.bodyBytes,
    // Above our own limits for the target and headers, so those answer 414 and 431 themselves.
    http: { maxHeaderSize: INPUT_LIMITS.requestHeadBytes },
    clientErrorHandler,
    // Customer ids may be 200 characters and run ids 500 (more once URL-encoded); the router's
    // default of 100 refused them before any route ran.
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    frameworkErrors: frameworkError,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app);
  installRequestGuards(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Cairn API',
        version: '1.0.0',
        description:
          'Customer profiles, events, journeys, runs and deliveries. Errors: {error: {code, message, issues?}}.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer' },
          writeKey: { type: 'http', scheme: 'basic', description: 'a write key as the user name' },
        },
      },
      tags: [
        'health',
        'customers',
        'events',
        'spec',
        'journeys',
        'segments',
        'imports',
        'lifecycle',
        'scores',
        'sources',
        'runs',
        'deliveries',
        'devices',
        'inbox',
        'webhooks',
        'suppressions',
        'topics',
        'conversions',
        'unsubscribe',
        'tracking',
      ].map((name) => ({
        name,
      })),
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  if (deps.docsUi !== false) await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(healthRoutes, { deps });
  await app.register(twilioWebhookRoutes, { deps, prefix: '/v1/webhooks/twilio' });
  await app.register(unsubscribeRoutes, { deps });
  await app.register(trackingRoutes, { deps });
  await app.register(codecRoutes, { deps });
  // Beside the API-key group: a write key (public in browsers) reaches these and nothing else.
  await app.register(specCallRoutes, { deps, prefix: '/v1' });
  await app.register(
    async (v1) => {
      v1.addHook('onRequest', bearerAuth(deps.apiKeys));
      await v1.register(customerRoutes, { deps });
      await v1.register(privacyRoutes, { deps });
      await v1.register(eventRoutes, { deps });
      await v1.register(journeyRoutes, { deps });
      await v1.register(segmentRoutes, { deps });
      await v1.register(segmentImportRoutes, { deps });
      await v1.register(importRoutes, { deps });
      await v1.register(lifecycleRoutes, { deps });
      await v1.register(scoreRoutes, { deps });
      await v1.register(sourceRoutes, { deps });
      await v1.register(previewRoutes, { deps });
      await v1.register(runRoutes, { deps });
      await v1.register(deliveryRoutes, { deps });
      await v1.register(deviceRoutes, { deps });
      await v1.register(inboxRoutes, { deps });
      await v1.register(suppressionRoutes, { deps });
      await v1.register(topicRoutes, { deps });
      await v1.register(conversionRoutes, { deps });
      await v1.register(timelineRoutes, { deps });
      await v1.register(bounceRoutes, { deps });
    },
    { prefix: '/v1' },
  );
  await app.ready();
  return app;
}

function loggerOption(logger: ApiDeps['logger']) {
  if (!logger) return false;
  const base = logger === true ? {} : logger;
  return {
    ...base,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { req: requestForLog },
  };
}

/**
 * What a request looks like in the log. Unsubscribe URLs carry a token that is a capability (it
 * changes that customer's preferences), so it never reaches the log; nor do tracking tokens (each
 * one records an open or a click for a delivery).
 */
function requestForLog(request: { method: string; url: string; id?: string }) {
  return { method: request.method, url: redactTokens(request.url), id: request.id };
}

function redactTokens(url: string): string {
  if (url.startsWith('/u/')) return '/u/[token]';
  const tracking = /^\/t\/([a-z])\//.exec(url);
  return tracking ? `/t/${tracking[1]}/[token]` : url;
}
