import type { JourneyDefinition } from '../schema';
import { parseJourneyDefinition } from '../validate';

/**
 * Seed scenario B. One run per cart (keyed by cart_id) for carts worth more than 25: a reminder
 * at 1h, a nudge at 6h only for carts worth more than 50, another at 12h and a SAVE10 offer at
 * 24h. A purchase of this cart ends the run at once, even mid-wait; a purchase of another cart
 * leaves it running. A purchase that names no cart (the seed's purchases do not) ends every
 * cart run of the customer: we cannot tell which cart was bought, and a customer who just
 * bought is not nudged. Timed steps wait "since entry" so the schedule holds on both branches.
 * A new cart starts a run only a week after the customer's previous entry.
 */
export const abandonedCart: JourneyDefinition = parseJourneyDefinition({
  id: 'abandoned-cart',
  name: 'Abandoned cart',
  description: 'Brings customers back to a cart they left, with a discount as the last resort.',
  trigger: {
    event: 'cart_abandoned',
    when: {
      match: 'all',
      conditions: [{ field: 'trigger.properties.cart_value', op: 'gt', value: 25 }],
    },
  },
  reEntry: { mode: 'keyed', key: 'cart_id', cooldown: '168h' },
  exitOn: [
    { event: 'purchase', match: { key: 'cart_id' } },
    {
      event: 'purchase',
      when: {
        match: 'all',
        conditions: [{ field: 'event.properties.cart_id', op: 'exists', value: false }],
      },
    },
  ],
  maxDuration: '3d',
  entry: 'wait_1h',
  steps: [
    { id: 'wait_1h', type: 'wait', untilSinceEntry: '1h', next: 'cart_reminder' },
    {
      id: 'cart_reminder',
      type: 'send',
      name: 'Cart reminder',
      channel: 'email',
      content: {
        subject: 'You left something in your cart',
        html:
          '<p>Hi {{#if profile.first_name}}{{profile.first_name}}{{else}}there{{/if}}, your cart is waiting:</p>' +
          '<ul>{{#each trigger.cart_items}}<li>{{name}}: {{price}}</li>{{/each}}</ul>' +
          '<p>Total: {{trigger.cart_value}}</p>' +
          '<p><a href="{{links.checkout}}">Complete your purchase</a></p>',
      },
      next: 'high_value_check',
    },
    {
      id: 'high_value_check',
      type: 'branch',
      name: 'Cart worth more than 50?',
      when: {
        match: 'all',
        conditions: [{ field: 'trigger.properties.cart_value', op: 'gt', value: 50 }],
      },
      then: 'wait_6h',
      else: 'wait_12h',
    },
    { id: 'wait_6h', type: 'wait', untilSinceEntry: '6h', next: 'high_value_nudge' },
    {
      id: 'high_value_nudge',
      type: 'send',
      name: 'High-value cart nudge (SMS)',
      channel: 'sms',
      content: { text: 'Your {{company.name}} cart is still saved. Check out: {{links.checkout}}' },
      next: 'wait_12h',
    },
    { id: 'wait_12h', type: 'wait', untilSinceEntry: '12h', next: 'cart_still_waiting' },
    {
      id: 'cart_still_waiting',
      type: 'send',
      name: 'Cart still waiting (push)',
      channel: 'push',
      content: {
        title: 'Still thinking it over?',
        body: 'Your items are waiting for you.',
        deepLink: '{{links.checkout}}',
      },
      next: 'wait_24h',
    },
    { id: 'wait_24h', type: 'wait', untilSinceEntry: '24h', next: 'discount_offer' },
    {
      id: 'discount_offer',
      type: 'send',
      name: 'Discount offer',
      channel: 'email',
      content: {
        subject: '10% off your cart with SAVE10',
        html:
          '<p>Use code <strong>SAVE10</strong> for 10% off your cart:</p>' +
          '<ul>{{#each trigger.cart_items}}<li>{{name}}: {{price}}</li>{{/each}}</ul>' +
          '<p>Total before discount: {{trigger.cart_value}}</p>' +
          '<p><a href="{{links.checkout}}">Check out now</a></p>',
        text: 'Use code SAVE10 for 10% off your cart: {{links.checkout}}',
      },
    },
  ],
});
