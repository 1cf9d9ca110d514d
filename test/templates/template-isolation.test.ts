import { renderPart } from '../../src/templates/render';
import { TemplateError } from '../../src/templates/template-error';
import { buildTemplateScope } from '../../src/templates/template-scope';

/**
 * A template is the journey author's text, rendered with a customer's data in the worker: it
 * may read that data and format it, and nothing else. No helper writes to the worker's log, and
 * a name that is JavaScript's rather than the data's renders an error, never blank text.
 */

const scope = buildTemplateScope(
  {
    id: 'cust-1',
    email: 'ada@example.com',
    phone: '+4915112345678',
    timeZone: 'Europe/Berlin',
    locale: 'de-DE',
    attributes: { first_name: 'Ada', constructor: 'own attribute' },
  },
  { cart_items: [{ name: 'Lamp' }] },
  {},
  { companyName: 'Acme', links: {}, defaultTimeZone: 'UTC' },
);

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** Renders `source` and returns what it threw, with everything written to the console meanwhile. */
function renderWatchingConsole(source: string): { error: unknown; written: string[] } {
  const written: string[] = [];
  const spies = CONSOLE_METHODS.map((method) =>
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      written.push(args.map((arg) => JSON.stringify(arg)).join(' '));
    }),
  );
  try {
    renderPart('text', source, scope);
    return { error: null, written };
  } catch (error) {
    return { error, written };
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
}

describe('templates reach nothing outside the template', () => {
  it.each([
    ['{{log "x" profile}}'],
    ['{{log profile level="error"}}'],
    ['{{#log profile}}x{{/log}}'],
    ['{{default (log profile.email) "x"}}'],
    ['{{log}}'],
    ['{{#log}}x{{/log}}'],
  ])('%s is a render error naming the helper, and logs nothing', (source) => {
    const { error, written } = renderWatchingConsole(source);
    expect(written).toEqual([]);
    expect(error).toBeInstanceOf(TemplateError);
    expect(error).toMatchObject({ part: 'text', reason: 'unknown_helper', path: 'log' });
    expect((error as Error).message).toContain(
      '"log": not a template helper; the helpers are money',
    );
    expect((error as Error).message).not.toContain('ada@example.com');
  });

  it.each([
    ['{{profile.toString}}', 'profile.toString'],
    ['{{profile.__proto__}}', 'profile.__proto__'],
    ['{{#each trigger.cart_items}}{{name.constructor}}{{/each}}', 'name.constructor'],
    // Even an attribute of that name: the name means JavaScript's property to Handlebars.
    ['{{profile.constructor}}', 'profile.constructor'],
    ['{{lookup profile "hasOwnProperty"}}', 'profile.hasOwnProperty'],
    ['{{lookup profile "last_name"}}', 'profile.last_name'],
  ])(
    '%s reads no JavaScript built-in and nothing absent: a render error, nothing logged',
    (source, path) => {
      const { error, written } = renderWatchingConsole(source);
      expect(written).toEqual([]);
      expect(error).toBeInstanceOf(TemplateError);
      expect(error).toMatchObject({ reason: 'missing_variable', path });
    },
  );

  it('still reads the data, by path and by lookup', () => {
    expect(renderPart('text', '{{lookup profile "first_name"}}', scope)).toBe('Ada');
    expect(
      renderPart('text', '{{#each trigger.cart_items}}{{lookup this "name"}}{{/each}}', scope),
    ).toBe('Lamp');
    expect(renderPart('text', '{{#with trigger.cart_items.[0]}}{{name}}{{/with}}', scope)).toBe(
      'Lamp',
    );
    expect(renderPart('text', '{{#if profile.first_name}}yes{{/if}}', scope)).toBe('yes');
  });

  it.each([
    ['{{helperMissing}}', 'helperMissing'],
    ['{{helperMissing profile}}', 'helperMissing'],
    ['{{#blockHelperMissing}}x{{/blockHelperMissing}}', 'blockHelperMissing'],
    ['{{profile.first_name "x"}}', 'profile.first_name'],
  ])('%s calls no Handlebars hook and no data: an unknown helper', (source, path) => {
    const { error, written } = renderWatchingConsole(source);
    expect(written).toEqual([]);
    expect(error).toMatchObject({ reason: 'unknown_helper', path });
  });

  it('refuses a lookup without an object and a key', () => {
    expect(renderWatchingConsole('{{lookup profile}}').error).toMatchObject({
      reason: 'invalid_value',
    });
  });

  it('has no partials to include', () => {
    expect(renderWatchingConsole('{{> layout}}').error).toBeInstanceOf(TemplateError);
  });
});
