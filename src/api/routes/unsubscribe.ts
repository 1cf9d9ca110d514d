import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { findTopic } from '../../guardrails/topics';
import { unsubscribeUrls } from '../../guardrails/unsubscribe-links';
import {
  tokenDigest,
  verifyUnsubscribeToken,
  type UnsubscribeClaims,
} from '../../guardrails/unsubscribe-token';
import type { ApiDeps } from '../deps';
import { changesFromForm, parseFormBody, type FormFields } from '../unsubscribe/form';
import { pageHeaders } from '../unsubscribe/html';
import {
  confirmationPage,
  invalidLinkPage,
  linkSubject,
  preferencePage,
  unknownCustomerPage,
} from '../unsubscribe/page';
import {
  applyPreferenceChanges,
  loadPreferences,
  type PreferenceChanges,
} from '../../guardrails/preferences';

const FORM_LIMIT_BYTES = 64 * 1024;
const TAGS = ['unsubscribe'];
/** "<token>" (one-click and the page) or "<token>/preferences" (the page and its form). */
const PATH = /^([A-Za-z0-9_.-]{1,2048})(\/preferences)?$/;

type Config = NonNullable<ApiDeps['unsubscribe']>;
type WildcardRequest = FastifyRequest<{ Params: { '*': string } }>;

interface Link {
  token: string;
  claims: UnsubscribeClaims;
  preferencesPath: boolean;
  urls: { unsubscribe: string; preferences: string };
}

/**
 * The public unsubscribe routes, outside the API key: mail providers' one-click POSTs (RFC 8058)
 * and the hosted preference page, under /u/<token>. The signed token in the path is the only
 * authorisation, and an invalid one changes nothing. Not registered unless a secret is configured.
 * A wildcard route because customer ids make tokens longer than fastify's path parameter limit.
 *
 * CSRF: the preference form has no anti-CSRF token because the URL token already is one — a
 * forged cross-site form would have to know the customer's signed token, and anyone who knows it
 * can unsubscribe by design (RFC 8058 links work without a session). There is no cookie to ride.
 */
export const unsubscribeRoutes: FastifyPluginCallback<{ deps: ApiDeps }> = (
  app,
  { deps },
  done,
) => {
  const config = deps.unsubscribe;
  if (!config) return done();
  acceptAnyBody(app);
  const handlers = unsubscribeHandlers(deps, config);

  app.get(
    '/u/*',
    {
      schema: {
        tags: TAGS,
        summary: 'The hosted preference page (HTML, no JavaScript)',
        description:
          '/u/{token} and /u/{token}/preferences show the channels and topics of the customer ' +
          'the signed token names. Never changes anything (link scanners fetch these URLs).',
      },
    },
    async (request: WildcardRequest, reply) => {
      const link = handlers.link(request, reply);
      return link ? handlers.showPage(link, reply) : reply;
    },
  );

  app.post(
    '/u/*',
    {
      schema: {
        tags: TAGS,
        summary: 'One-click unsubscribe (RFC 8058) and the preference form',
        description:
          'POST /u/{token} is the List-Unsubscribe URL: any body (RFC 8058 sends ' +
          '"List-Unsubscribe=One-Click") unsubscribes the link’s topic, or its channel when it has ' +
          'none, and stores an unsubscribe event. POST /u/{token}/preferences takes the ' +
          'form-encoded preference form. Authenticated by the signed token (no API key).',
      },
    },
    async (request: WildcardRequest, reply) => {
      const link = handlers.link(request, reply);
      if (!link) return reply;
      if (!link.preferencesPath) return handlers.oneClick(link, request, reply);
      return handlers.savePreferences(link, formFields(request), request, reply);
    },
  );
  done();
};

function unsubscribeHandlers(deps: ApiDeps, config: Config) {
  const page = (reply: FastifyReply, status: number, html: string) =>
    reply.code(status).headers(pageHeaders(config.publicBaseUrl)).send(html);
  // Once the change has committed: the router then delivers its events at once.
  const wakeRouter = (stored: number) => {
    if (stored > 0) deps.outboxSignal?.notify();
  };

  const showPage = async (link: Link, reply: FastifyReply, notice?: string) => {
    const preferences = await loadPreferences(deps.db, link.claims.customerId, link.claims.channel);
    if (!preferences) return page(reply, 404, unknownCustomerPage());
    const html = preferencePage(preferences, {
      unsubscribeUrl: link.urls.unsubscribe,
      preferencesUrl: link.urls.preferences,
      linkChannel: link.claims.channel,
      ...(link.claims.topic !== undefined ? { linkTopic: link.claims.topic } : {}),
      ...(notice !== undefined ? { notice } : {}),
    });
    return page(reply, 200, html);
  };

  return {
    showPage,

    /** The verified link of the request; null (with a 400 page sent) when it is not valid. */
    link(request: WildcardRequest, reply: FastifyReply): Link | null {
      const match = PATH.exec(request.params['*']);
      const result = match?.[1] ? verifyUnsubscribeToken(config.secret, match[1]) : null;
      if (match?.[1] && result?.valid) {
        return {
          token: match[1],
          claims: result.claims,
          preferencesPath: match[2] !== undefined,
          urls: unsubscribeUrls(config.publicBaseUrl, match[1]),
        };
      }
      const reason = result && !result.valid ? result.reason : 'bad_path';
      request.log.info({ reason }, 'unsubscribe link refused');
      void page(reply, 400, invalidLinkPage());
      return null;
    },

    async oneClick(link: Link, request: FastifyRequest, reply: FastifyReply) {
      const { claims } = link;
      const topic = claims.topic !== undefined ? await findTopic(deps.db, claims.topic) : undefined;
      const stored = await applyPreferenceChanges(
        deps.db,
        claims.customerId,
        oneClickChanges(claims, topic !== undefined),
        {
          // Repeated POSTs of one link (providers retry) store one event.
          ref: claims.deliveryId ?? tokenDigest(link.token),
          channel: claims.channel,
          source: 'one_click',
        },
      );
      if (stored === null) return page(reply, 404, unknownCustomerPage());
      wakeRouter(stored);
      const what = linkSubject(claims.channel, topic?.name);
      return page(reply, 200, confirmationPage(what, link.urls.preferences));
    },

    async savePreferences(
      link: Link,
      fields: FormFields,
      request: FastifyRequest,
      reply: FastifyReply,
    ) {
      const { claims } = link;
      const preferences = await loadPreferences(deps.db, claims.customerId, claims.channel);
      if (!preferences) return page(reply, 404, unknownCustomerPage());
      const changes = changesFromForm(
        fields,
        preferences.topics.map((state) => state.topic.id),
      );
      const stored = await applyPreferenceChanges(deps.db, claims.customerId, changes, {
        ref: randomUUID(),
        channel: claims.channel,
        source: 'preference_page',
      });
      if (stored === null) return page(reply, 404, unknownCustomerPage());
      wakeRouter(stored);
      return showPage(link, reply, 'Your choices are saved.');
    },
  };
}

/**
 * A topic link unsubscribes the topic. A link whose topic no longer exists unsubscribes the whole
 * channel instead: the customer asked to stop, and an unsubscribe must never be lost.
 */
function oneClickChanges(claims: UnsubscribeClaims, topicExists: boolean): PreferenceChanges {
  if (claims.topic !== undefined && topicExists) {
    return { channels: {}, topics: { [claims.topic]: 'unsubscribed' } };
  }
  return { channels: { [claims.channel]: 'opted_out' }, topics: {} };
}

/**
 * Mail providers send one-click POSTs form-encoded, multipart or with no body at all; the action
 * never depends on the body, so these routes take any content type as an opaque string (in this
 * plugin's context only; the rest of the API stays JSON).
 */
function acceptAnyBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
    (_request, body, done) => done(null, body),
  );
}

/** The preference form's fields; anything but a form-encoded body has none. */
function formFields(request: FastifyRequest): FormFields {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' || typeof request.body !== 'string') {
    return Object.create(null) as FormFields;
  }
  return parseFormBody(request.body);
}
