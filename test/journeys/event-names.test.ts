import {
  CANONICAL_EVENTS,
  aliasTarget,
  canonicalEventType,
  specEventType,
} from '../../src/journeys/event-names';
import { validateJourneyDefinition } from '../../src/journeys/validate';
import { segmentDefinitionSchema } from '../../src/segments/schema';

describe('canonical event names', () => {
  it('stores the seeds’ synonyms under one name', () => {
    expect(['cart_abandon', 'cart_abandonment', 'cart_abandoned'].map(canonicalEventType)).toEqual([
      'cart_abandoned',
      'cart_abandoned',
      'cart_abandoned',
    ]);
    expect(canonicalEventType('cart_add')).toBe('add_to_cart');
    expect(canonicalEventType('purchase_completed')).toBe('purchase');
  });

  it('leaves names that are no alias as they are', () => {
    expect(canonicalEventType('purchase')).toBe('purchase');
    expect(canonicalEventType('Purchase')).toBe('Purchase');
    expect(canonicalEventType('video_played')).toBe('video_played');
  });

  it('has no alias that is also a canonical name or stands for two events', () => {
    const names = new Set(CANONICAL_EVENTS.map((event) => event.name));
    const aliases = CANONICAL_EVENTS.flatMap((event) => event.aliases);
    expect(aliases.filter((alias) => names.has(alias))).toEqual([]);
    expect(new Set(aliases).size).toBe(aliases.length);
    for (const alias of aliases) expect(aliasTarget(alias)).not.toBeNull();
  });

  it("reads Segment's Title Case names as canonical events", () => {
    expect(specEventType('Order Completed')).toBe('purchase');
    expect(specEventType('Product Added')).toBe('add_to_cart');
    expect(specEventType('Product Viewed')).toBe('product_view');
    expect(specEventType('Checkout Started')).toBe('checkout_started');
    expect(specEventType('checkoutStarted')).toBe('checkout_started');
    expect(specEventType('Video Played')).toBe('video_played');
    expect(specEventType('  Plan / Upgraded!  ')).toBe('plan_upgraded');
    expect(specEventType('42 Things')).toBe('things');
    expect(specEventType('!!!')).toBe('');
  });
});

describe('definitions that name an alias', () => {
  it('refuses a journey waiting for an alias, naming the path and the name to use', () => {
    const result = validateJourneyDefinition({
      id: 'cart-rescue',
      name: 'Cart rescue',
      trigger: { event: 'cart_abandonment' },
      entry: 'wait',
      steps: [{ id: 'wait', type: 'waitForEvent', event: 'order_completed', timeout: '1d' }],
    });
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'trigger.event', message: expect.stringContaining('"cart_abandoned"') as string },
        { path: 'steps.0.event', message: expect.stringContaining('"purchase"') as string },
      ]),
    );
  });

  it('refuses a segment counting an alias', () => {
    const parsed = segmentDefinitionSchema.safeParse({
      id: 'carted',
      name: 'Carted',
      where: { performed: { event: 'cart_add' } },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['where.performed.event', expect.stringContaining('"add_to_cart"')],
    ]);
  });
});
