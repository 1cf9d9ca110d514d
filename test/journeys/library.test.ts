import Handlebars from 'handlebars';
import { LIBRARY_TEMPLATE_VARIABLES, builtInJourneys } from '../../src/journeys/library';
import { emailOf, templatesOf } from './helpers';
import { journeyDefinitionSchema } from '../../src/journeys/schema';

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

  it('uses email for every message, and names the seed channel where it differs', () => {
    const substitutes = sends
      .filter((s) => s.step.name?.includes('email until channels land'))
      .map((s) => `${s.journey}/${s.step.id}`);
    expect(sends.every((s) => s.step.type === 'send' && s.step.channel === 'email')).toBe(true);
    expect(substitutes).toEqual([
      'welcome-series/getting_started',
      'welcome-series/complete_profile_nudge',
      'abandoned-cart/high_value_nudge',
      'abandoned-cart/cart_still_waiting',
      're-engagement/second_chance',
      'onboarding/setup_tips',
      'onboarding/completion_reminder_2',
    ]);
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
