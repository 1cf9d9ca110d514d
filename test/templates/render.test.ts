import { renderEmail, renderPart } from '../../src/templates/render';
import { TemplateError } from '../../src/templates/template-error';
import { buildTemplateScope, type TemplateScope } from '../../src/templates/template-scope';
import { htmlToText } from '../../src/templates/html-to-text';

const config = {
  companyName: 'Acme & Co',
  links: { checkout: 'https://shop.test/checkout?c=1&x=2' },
  defaultTimeZone: 'UTC',
};

function scope(overrides: Partial<TemplateScope> = {}): TemplateScope {
  const base = buildTemplateScope(
    {
      id: 'cust-1',
      email: 'ada@example.com',
      phone: null,
      timeZone: 'America/New_York',
      locale: 'en-US',
      attributes: { first_name: 'Ada <b>', plan: 'pro' },
    },
    {
      cart_total: 42.5,
      cart_items: [
        { name: 'Tea <cup>', price: 12.5 },
        { name: 'Kettle', price: 30 },
      ],
    },
    { discount_code: 'SAVE10' },
    config,
  );
  return { ...base, ...overrides };
}

function renderError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error('expected a TemplateError');
}

describe('renderEmail', () => {
  it('escapes values in html but not in subject or text', () => {
    const out = renderEmail(
      {
        subject: 'Hi {{profile.first_name}} from {{company.name}}',
        html: '<p>Hi {{profile.first_name}}</p>',
        text: 'Hi {{profile.first_name}}',
      },
      scope(),
    );
    expect(out.subject).toBe('Hi Ada <b> from Acme & Co');
    expect(out.html).toBe('<p>Hi Ada &lt;b&gt;</p>');
    expect(out.text).toBe('Hi Ada <b>');
  });

  it('loops over trigger items and formats money in the customer locale', () => {
    const out = renderEmail(
      {
        subject: 'Your cart',
        html: '<ul>{{#each trigger.cart_items}}<li>{{name}}: {{money price currency="USD"}}</li>{{/each}}</ul><p>Total {{money trigger.cart_total currency="EUR"}}</p>',
      },
      scope(),
    );
    expect(out.html).toBe(
      '<ul><li>Tea &lt;cup&gt;: $12.50</li><li>Kettle: $30.00</li></ul><p>Total €42.50</p>',
    );
  });

  it('fails on a missing variable, naming its path and not the scope values', () => {
    const error = renderError(() =>
      renderEmail({ subject: 'x', html: '<p>\n  {{profile.last_name}}</p>' }, scope()),
    );
    expect(error).toMatchObject({
      part: 'html',
      reason: 'missing_variable',
      path: 'profile.last_name',
      line: 2,
      column: 4,
    });
    expect(error.message).toContain('profile.last_name');
    expect(error.message).not.toContain('ada@example.com');
    expect(error.message).not.toContain('Ada');
  });

  it('fails on a missing field inside a loop and on a missing collection', () => {
    expect(
      renderError(() =>
        renderPart('html', '{{#each trigger.cart_items}}{{sku}}{{/each}}', scope()),
      ),
    ).toMatchObject({
      reason: 'missing_variable',
      path: 'sku',
    });
    expect(
      renderError(() => renderPart('html', '{{#each trigger.items}}x{{/each}}', scope())),
    ).toMatchObject({
      reason: 'missing_variable',
      path: 'trigger.items',
    });
  });

  it('never quotes a scalar it could not descend into', () => {
    const error = renderError(() => renderPart('text', '{{profile.email.domain}}', scope()));
    expect(error.reason).toBe('missing_variable');
    expect(error.message).not.toContain('ada@example.com');
  });

  it('lets default see a missing value', () => {
    expect(renderPart('text', 'Hi {{default profile.nickname "there"}}', scope())).toBe('Hi there');
    expect(renderPart('text', 'Hi {{default profile.plan "there"}}', scope())).toBe('Hi pro');
  });

  it('rejects money without a number, naming the variable', () => {
    expect(
      renderError(() => renderPart('html', '{{money trigger.cart_totl}}', scope())),
    ).toMatchObject({
      reason: 'missing_variable',
      path: 'trigger.cart_totl',
    });
    expect(renderError(() => renderPart('html', '{{money profile.plan}}', scope()))).toMatchObject({
      reason: 'invalid_value',
      path: 'profile.plan',
    });
  });

  it('flattens the subject to one line so values cannot add headers', () => {
    const injected = scope({ context: { code: 'X\r\nBcc: victim@example.com' } });
    expect(
      renderEmail({ subject: 'Code {{context.code}}', html: '<p>x</p>' }, injected).subject,
    ).toBe('Code X Bcc: victim@example.com');
  });

  it('derives a text part from the html when none is given', () => {
    const out = renderEmail(
      {
        subject: 's',
        html: '<h1>Hello {{profile.first_name}}</h1><p>Finish <a href="{{links.checkout}}">checking out</a>.</p><style>p{}</style>',
      },
      scope(),
    );
    expect(out.text).toBe(
      'Hello Ada <b>\n\nFinish checking out (https://shop.test/checkout?c=1&x=2).',
    );
  });

  it('reports a syntax error as a TemplateError', () => {
    expect(renderError(() => renderPart('html', '{{#if x}}', scope()))).toMatchObject({
      reason: 'syntax_error',
    });
  });

  it('rejects a subject that renders empty', () => {
    expect(
      renderError(() =>
        renderEmail({ subject: '{{context.empty}}', html: 'x' }, scope({ context: { empty: '' } })),
      ),
    ).toMatchObject({
      part: 'subject',
      reason: 'invalid_value',
    });
  });

  it('accepts the whole trigger event and exposes its properties', () => {
    const built = buildTemplateScope(
      { id: 'c', email: null, phone: null, timeZone: null, locale: null, attributes: {} },
      {
        id: 'e1',
        type: 'cart_abandoned',
        customerId: 'c',
        occurredAt: '2024-01-01T00:00:00Z',
        properties: { cart_id: 'k1' },
      },
      {},
      config,
    );
    expect(built.trigger).toEqual({ cart_id: 'k1' });
    expect(built.profile).toEqual({ id: 'c', timeZone: 'UTC' });
  });
});

describe('htmlToText', () => {
  it('keeps list items and decodes entities', () => {
    expect(htmlToText('<ul><li>a &amp; b</li><li>c&#39;s</li></ul>')).toBe("- a & b\n- c's");
  });
});
