import {
  abandonedCart,
  builtInJourneys,
  onboarding,
  reEngagement,
} from '../../src/journeys/library';
import { eventTypesListenedTo } from '../../src/journeys/listens';
import {
  MissingRunKeyError,
  journeyWorkflowId,
  parseJourneyWorkflowId,
  runKeyFromTrigger,
} from '../../src/journeys/workflow-id';
import { event } from './helpers';

describe('journeyWorkflowId', () => {
  it('is deterministic and includes the key when given', () => {
    expect(journeyWorkflowId('abandoned-cart', 'cust-1')).toBe('journey:abandoned-cart:cust-1');
    expect(journeyWorkflowId('abandoned-cart', 'cust-1', 'cart-9')).toBe(
      'journey:abandoned-cart:cust-1:cart-9',
    );
  });

  it('encodes separators inside parts so ids never collide', () => {
    const a = journeyWorkflowId('j1', 'a:b', 'c');
    const b = journeyWorkflowId('j1', 'a', 'b:c');
    expect(a).toBe('journey:j1:a%3Ab:c');
    expect(a).not.toBe(b);
    expect(parseJourneyWorkflowId(a)).toEqual({ journeyId: 'j1', customerId: 'a:b', key: 'c' });
    expect(parseJourneyWorkflowId(journeyWorkflowId('j1', '100%:x'))).toEqual({
      journeyId: 'j1',
      customerId: '100%:x',
    });
    expect(parseJourneyWorkflowId('other:thing')).toBeNull();
  });
});

describe('runKeyFromTrigger', () => {
  it('reads the key of keyed journeys', () => {
    expect(runKeyFromTrigger(abandonedCart, event('cart_abandoned', { cart_id: 'c1' }))).toBe('c1');
    expect(runKeyFromTrigger(abandonedCart, event('cart_abandoned', { cart_id: 42 }))).toBe('42');
  });

  it('is undefined for journeys that are not keyed', () => {
    expect(runKeyFromTrigger(onboarding, event('onboarding_started'))).toBeUndefined();
  });

  it('throws a clear error when a keyed trigger lacks the key', () => {
    const trigger = event('cart_abandoned', { cart_value: 30 }, undefined, 'evt-77');
    expect(() => runKeyFromTrigger(abandonedCart, trigger)).toThrow(MissingRunKeyError);
    expect(() => runKeyFromTrigger(abandonedCart, trigger)).toThrow(
      'journey "abandoned-cart" is keyed by trigger property "cart_id", but trigger event evt-77 has no usable value',
    );
    expect(() =>
      runKeyFromTrigger(abandonedCart, event('cart_abandoned', { cart_id: '' })),
    ).toThrow(MissingRunKeyError);
  });
});

describe('eventTypesListenedTo', () => {
  it('lists waitForEvent, exitOn and goal events, unique and sorted', () => {
    expect(eventTypesListenedTo(abandonedCart)).toEqual(['purchase']);
    expect(eventTypesListenedTo(onboarding)).toEqual(['profile_completion', 'unsubscribe']);
    expect(eventTypesListenedTo(reEngagement)).toEqual([
      'email_opened',
      'sms_clicked',
      'unsubscribe',
    ]);
    expect(
      eventTypesListenedTo({ ...onboarding, goal: { event: 'activated', exit: true } }),
    ).toEqual(['activated', 'profile_completion', 'unsubscribe']);
  });

  it('covers every built-in journey', () => {
    expect(builtInJourneys.map((j) => j.id)).toEqual([
      'welcome-series',
      'abandoned-cart',
      're-engagement',
      'onboarding',
    ]);
  });
});
