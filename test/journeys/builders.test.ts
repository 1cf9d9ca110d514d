import { field, journey, where, whereAny } from '../../src/journeys/builders';
import { emailOf } from './helpers';
import { abandonedCart, reEngagement } from '../../src/journeys/library';
import { JourneyValidationError } from '../../src/journeys/validate';

describe('journey builders', () => {
  it('build the same definition as the abandoned-cart JSON', () => {
    const email = (subject: string, html: string, text?: string) => ({
      subject,
      html,
      ...(text ? { text } : {}),
    });
    const emailSource = (id: string) => {
      const step = abandonedCart.steps.find((s) => s.id === id);
      const content = emailOf(step);
      return { name: step?.name, content: email(content.subject, content.html, content.text) };
    };
    const built = journey('abandoned-cart')
      .name('Abandoned cart')
      .description('Brings customers back to a cart they left, with a discount as the last resort.')
      .trigger('cart_abandoned', where(field('trigger.properties.cart_value').gt(25)))
      .keyedBy('cart_id', { cooldown: '168h' })
      .exitOn('purchase', { match: 'cart_id' })
      .exitOn('purchase', where(field('event.properties.cart_id').missing()))
      .maxDuration('3d')
      .steps((s) => [
        s.wait('wait_1h', { untilSinceEntry: '1h' }),
        s.send('cart_reminder', emailSource('cart_reminder')),
        s.branch('high_value_check', where(field('trigger.properties.cart_value').gt(50)), {
          name: 'Cart worth more than 50?',
          then: 'wait_6h',
          else: 'wait_12h',
        }),
        s.wait('wait_6h', { untilSinceEntry: '6h' }),
        s.send('high_value_nudge', {
          name: 'High-value cart nudge (SMS)',
          channel: 'sms',
          content: {
            text: 'Your {{company.name}} cart is still saved. Check out: {{links.checkout}}',
          },
        }),
        s.wait('wait_12h', { untilSinceEntry: '12h' }),
        s.send('cart_still_waiting', {
          name: 'Cart still waiting (push)',
          channel: 'push',
          content: {
            title: 'Still thinking it over?',
            body: 'Your items are waiting for you.',
            deepLink: '{{links.checkout}}',
          },
        }),
        s.wait('wait_24h', { untilSinceEntry: '24h' }),
        s.send('discount_offer', emailSource('discount_offer')),
      ])
      .build();
    expect(built).toEqual(abandonedCart);
  });

  it('scope exitOn and the goal to the run key, by property name or in full', () => {
    const built = journey('keyed-exits')
      .name('Keyed exits')
      .keyedBy('order_id')
      .exitOn('order_cancelled', { match: 'order_id' })
      .exitOn('refund', {
        match: { key: 'order', equals: 'trigger.properties.order_id' },
        when: where(field('event.properties.amount').gt(0)),
      })
      .exitOn('unsubscribe')
      .goal('order_delivered', { match: 'order_id', within: '3d' })
      .steps((s) => [s.wait('pause', { for: '1d' })])
      .build();
    expect(built.exitOn).toEqual([
      { event: 'order_cancelled', match: { key: 'order_id' } },
      {
        event: 'refund',
        match: { key: 'order', equals: 'trigger.properties.order_id' },
        when: where(field('event.properties.amount').gt(0)),
      },
      { event: 'unsubscribe' },
    ]);
    expect(built.goal).toEqual({
      event: 'order_delivered',
      match: { key: 'order_id' },
      within: '3d',
      exit: true,
    });
  });

  it('refuse a keyed exit in an unkeyed journey, naming the field', () => {
    const build = () =>
      journey('unkeyed')
        .name('Unkeyed')
        .exitOn('purchase', { match: 'cart_id' })
        .steps((s) => [s.wait('pause', { for: '1d' })])
        .build();
    expect(build).toThrow('exitOn.0.match.equals: the journey is not keyed');
  });

  it('build the re-engagement audience with whereAny', () => {
    const audience = whereAny(
      field('profile.last_purchase_at').olderThan('30d'),
      field('profile.last_purchase_at').missing(),
    );
    expect(audience).toEqual(reEngagement.audience);
  });

  it('chain linear steps unless told to end', () => {
    const built = journey('chain-test')
      .name('Chain')
      .steps((s) => [
        s.send('a', { content: { subject: 'A', html: 'a' }, end: true }),
        s.wait('b', { for: '1h' }),
        s.updateProfile('c', { seen: true }),
      ])
      .build();
    expect(built.entry).toBe('a');
    expect(built.steps.map((s) => ('next' in s ? s.next : undefined))).toEqual([
      undefined,
      'c',
      undefined,
    ]);
  });

  it('offer every operator', () => {
    const f = field('profile.x');
    expect(
      [
        f.eq(1),
        f.ne(1),
        f.gte(1),
        f.lt(1),
        f.lte(1),
        f.contains('a'),
        f.in([1]),
        f.notIn([1]),
        f.exists(),
        f.within('1d'),
      ].map((c) => c.op),
    ).toEqual(['eq', 'ne', 'gte', 'lt', 'lte', 'contains', 'in', 'not_in', 'exists', 'within']);
  });

  it('reject invalid journeys with the schema errors', () => {
    const build = () =>
      journey('broken')
        .name('Broken')
        .steps((s) => [s.wait('w', { for: '1h', next: 'nowhere' })])
        .build();
    expect(build).toThrow(JourneyValidationError);
    expect(build).toThrow('steps.0.next: no step with id "nowhere"');
  });
});
