import Handlebars from 'handlebars';
import { LIBRARY_TEMPLATE_VARIABLES, builtInJourneys } from '../../src/journeys/library';
import { messagesOf } from '../../src/journeys/send-plan';
import { emailOf, templatesOf } from './helpers';
import { journeyDefinitionSchema } from '../../src/journeys/schema';
import { renderPart } from '../../src/templates/render';

/** Exactly the variables the library documents; strict rendering fails on anything else. */
const scope = {
  profile: { id: 'cust-1', first_name: 'Ada' },
  company: { name: 'Acme' },
  links: {
    onboarding: 'https://acme.test/start',
    help_center: 'https://acme.test/help',
    profile: 'https://acme.test/profile',
    checkout: 'https://acme.test/checkout',
    shop: 'https://acme.test/shop',
    survey: 'https://acme.test/survey',
  },
  trigger: { cart_items: [{ name: 'Lamp <b>', price: 80 }], cart_value: 80 },
  context: {},
};

const sends = builtInJourneys.flatMap((journey) =>
  journey.steps.flatMap((step) => (step.type === 'send' ? [{ journey: journey.id, step }] : [])),
);

describe('built-in journeys', () => {
  it.each(builtInJourneys.map((j) => [j.id, j]))('%s passes the schema', (_id, definition) => {
    expect(journeyDefinitionSchema.parse(definition)).toEqual(definition);
  });

  it.each(sends.map((s) => [`${s.journey}/${s.step.id}`, s.step]))(
    '%s renders strictly with the documented variables',
    (_name, step) => {
      if (step.type !== 'send') throw new Error('not a send');
      for (const template of templatesOf(step)) {
        const rendered = Handlebars.compile(template, { strict: true })(scope);
        expect(rendered).not.toContain('{{');
        expect(rendered).not.toContain('Lamp <b>');
        // ... and through Cairn's renderer, which also checks what a template calls and reads.
        expect(renderPart('html', template, scope as never)).toBe(rendered);
      }
    },
  );

  it('renders without a first name', () => {
    const welcome = sends.find(
      (s) => s.step.id === 'welcome_email' && s.journey === 'welcome-series',
    )!.step;
    if (welcome.type !== 'send') throw new Error('not a send');
    const subject = Handlebars.compile(emailOf(welcome).subject, { strict: true })({
      ...scope,
      profile: { id: 'x' },
    });
    expect(subject).toBe('Welcome to Acme!');
  });

  it('sends on the channels the seeds use', () => {
    const channels = Object.fromEntries(
      sends.map((s) => [
        `${s.journey}/${s.step.id}`,
        s.step.type === 'send'
          ? messagesOf(s.step).map((m) =>
              m.fallback ? `${m.channel}|${m.fallback.channel}` : m.channel,
            )
          : [],
      ]),
    );
    expect(channels).toMatchObject({
      'welcome-series/welcome_email': ['email'],
      'welcome-series/getting_started': ['sms|email'],
      'welcome-series/complete_profile_nudge': ['push'],
      'welcome-series/tips_email': ['email'],
      'abandoned-cart/cart_reminder': ['email'],
      'abandoned-cart/high_value_nudge': ['sms'],
      'abandoned-cart/cart_still_waiting': ['push'],
      'abandoned-cart/discount_offer': ['email'],
      're-engagement/second_chance': ['sms'],
      'onboarding/welcome_email': ['email', 'push'],
      'onboarding/completion_reminder': ['email', 'sms'],
    });
  });

  it('documents every variable the templates use', () => {
    const used = new Set<string>();
    for (const { step } of sends) {
      if (step.type !== 'send') continue;
      const text = templatesOf(step).join(' ');
      for (const match of text.matchAll(/\{\{[#/]?(?:if |each )?([a-z_]+\.[a-z_.]+)\}\}/g))
        used.add(match[1]!);
    }
    expect([...used].sort()).toEqual([...LIBRARY_TEMPLATE_VARIABLES].sort());
  });
});
