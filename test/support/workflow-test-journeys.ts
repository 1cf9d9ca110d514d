import { journey } from '../../src/journeys/builders';
import type { JourneyDefinition } from '../../src/journeys/schema';

/**
 * Journeys beyond the built-ins that the workflow tests run and the history recorder records,
 * so a recorded history stands for the same journey its test exercises.
 */

/** Ends at its goal: a purchase after the offer. */
export const springPromo = journey('spring-promo')
  .name('Spring promo')
  .goal('purchase', { exit: true })
  .steps((s) => [
    s.send('offer', { content: { subject: 'Spring sale', html: '<p>Sale</p>' } }),
    s.wait('linger', { for: '5d' }),
    s.send('reminder', { content: { subject: 'Last days', html: '<p>Hurry</p>' } }),
  ])
  .build();

/**
 * Names a step it does not have: the pure interpreter throws when the run leaves `hello`.
 * Workflow input is not validated again, so a corrupt snapshot like this reaches a run.
 */
export const brokenLink = {
  id: 'broken-link',
  name: 'Broken link',
  entry: 'hello',
  steps: [
    {
      id: 'hello',
      type: 'send',
      channel: 'email',
      content: { subject: 'Hello', html: '<p>Hello</p>' },
      next: 'ghost',
    },
  ],
} as unknown as JourneyDefinition;

/** Waits for a local time first: a run without a valid time zone fails in the interpreter. */
export const morningNote = journey('morning-note')
  .name('Morning note')
  .steps((s) => [
    s.wait('until_morning', { untilLocalTime: '09:00' }),
    s.send('note', { content: { subject: 'Good morning', html: '<p>Hi</p>' } }),
  ])
  .build();

/** Once per customer, with a long wait: its runs are still running when a test merges customers. */
export const welcomeOnce = journey('welcome-once')
  .name('Welcome, once')
  .trigger('visited')
  .once()
  .steps((s) => [
    s.wait('settle', { for: '1h' }),
    s.send('welcome', { content: { subject: 'Welcome', html: '<p>Hello</p>' } }),
  ])
  .toJSON();
