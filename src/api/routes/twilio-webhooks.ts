import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import twilio from 'twilio';
import { parsePhoneNumber } from '../../channels/phone-number';
import type { ApiDeps } from '../deps';
import { errorBody } from '../errors';
import { applyInboundSms, keywordOf } from '../../guardrails/inbound-sms';
import {
  acceptTwilioForms,
  field,
  requireTwilioSignature,
  type TwilioParams,
} from '../twilio/signature';
import { applyStatusReport } from '../../deliveries/status-report';

const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const webhookSchema = (summary: string, description: string) => ({
  tags: ['webhooks'],
  summary,
  description: `${description} Form-encoded, authenticated by X-Twilio-Signature (no API key).`,
});

/**
 * Twilio's webhooks, under /v1/webhooks/twilio. Twilio cannot send the API key, so these routes
 * sit outside the bearer check and are authenticated by the request signature instead. Not
 * registered at all unless Twilio is configured.
 */
export const twilioWebhookRoutes: FastifyPluginCallback<{ deps: ApiDeps }> = (
  app,
  { deps },
  done,
) => {
  const config = deps.twilio;
  if (!config) return done();
  acceptTwilioForms(app);
  app.addHook('preValidation', requireTwilioSignature(config));

  app.post(
    '/status',
    {
      schema: webhookSchema(
        'Twilio message status callback',
        'Records sent/delivered/undelivered/failed on the delivery and stores an sms_* event.',
      ),
    },
    async (request, reply) => {
      const params = request.body as TwilioParams;
      const messageSid = field(params, 'MessageSid') ?? '';
      const status = field(params, 'MessageStatus') ?? '';
      if (!MESSAGE_SID.test(messageSid)) return badField(reply, 'MessageSid');
      if (!/^[a-z_]{2,20}$/.test(status)) return badField(reply, 'MessageStatus');
      const errorCode = field(params, 'ErrorCode');
      const deliveryId = (request.query as Record<string, unknown>).deliveryId;
      const outcome = await applyStatusReport(
        deps.db,
        {
          messageSid,
          status,
          ...(errorCode && /^\d{1,6}$/.test(errorCode) ? { errorCode } : {}),
          ...(typeof deliveryId === 'string' && UUID.test(deliveryId) ? { deliveryId } : {}),
        },
        { now: new Date() },
      );
      if (!outcome.found) request.log.info({ messageSid }, 'status for an unknown SMS ignored');
      if (outcome.eventStored) deps.outboxSignal?.notify();
      return reply.code(200).send();
    },
  );

  app.post(
    '/inbound',
    {
      schema: webhookSchema(
        'Twilio inbound SMS',
        'STOP/UNSUBSCRIBE/CANCEL/END/QUIT revoke SMS consent, START/UNSTOP/YES restore it, ' +
          'HELP/INFO answer with the configured help text; answers TwiML.',
      ),
    },
    async (request, reply) => {
      const params = request.body as TwilioParams;
      const messageSid = field(params, 'MessageSid') ?? '';
      if (!MESSAGE_SID.test(messageSid)) return badField(reply, 'MessageSid');
      const body = field(params, 'Body') ?? '';
      const sender = parsePhoneNumber(field(params, 'From') ?? '');
      // Only customers' numbers change anything; HELP is answered for anyone who asks.
      if (sender.ok) {
        const outcome = await applyInboundSms(
          deps.db,
          { messageSid, from: sender.number, body },
          { now: new Date() },
        );
        request.log.info(
          { messageSid, keyword: outcome.keyword, customers: outcome.matched },
          'inbound SMS',
        );
        if (outcome.eventsStored > 0) deps.outboxSignal?.notify();
      }
      const twiml = new twilio.twiml.MessagingResponse();
      if (keywordOf(body) === 'help') twiml.message(config.helpText);
      return reply.code(200).type('text/xml').send(twiml.toString());
    },
  );
  done();
};

function badField(reply: FastifyReply, name: string): FastifyReply {
  return reply
    .code(400)
    .send(
      errorBody('validation_error', `${name} is missing or malformed`, [
        { path: name, message: 'missing or malformed' },
      ]),
    );
}
