import { eq } from 'drizzle-orm';
import type { DeliveryList } from '../../src/client';
import { customers } from '../../src/db/schema';
import { journey } from '../../src/journeys/builders';
import {
  PUBLIC_TEST_URL,
  eventually,
  startCairnTestStack,
  type CairnTestStack,
} from '../support/cairn-stack';

const SECRET = 'unsubscribe-secret-for-tests-0123456789';

// A weekly newsletter: one marketing email now, another a few seconds later.
const newsletter = journey('newsletter')
  .name('Newsletter')
  .trigger('week_started')
  .steps((s) => [
    s.send('issue_1', {
      content: {
        subject: 'This week',
        html: '<p>News</p><p><a href="{{links.unsubscribe}}">Unsubscribe</a> · <a href="{{links.preferences}}">Preferences</a></p>',
      },
    }),
    s.wait('a_moment', { for: '4s' }),
    s.send('issue_2', { content: { subject: 'Next week', html: '<p>More news</p>' } }),
  ])
  .toJSON();

describe('one-click unsubscribe from a rendered email (RFC 8058)', () => {
  let stack: CairnTestStack;

  beforeAll(async () => {
    stack = await startCairnTestStack({ unsubscribeSecret: SECRET });
    expect((await stack.request('POST', '/v1/journeys', newsletter)).status).toBe(201);
    await stack.request('PUT', '/v1/customers/rfc', { email: 'rfc@example.com' });
    await stack.request('POST', '/v1/events', {
      id: 'week-1',
      customerId: 'rfc',
      type: 'week_started',
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function firstEmail() {
    const [message] = await stack.smtp.waitForMessages(1, 20_000);
    // The header lines as sent (mailparser folds List-* headers into one structured value).
    const line = (key: string) => message?.headerLines.find((h) => h.key === key)?.line ?? '';
    const url = /<([^>]+)>/.exec(line('list-unsubscribe'))?.[1] ?? '';
    if (!url) throw new Error('the email has no List-Unsubscribe header');
    return {
      message,
      url,
      path: url.slice(PUBLIC_TEST_URL.length),
      post: line('list-unsubscribe-post'),
    };
  }

  const oneClick = (path: string) =>
    stack.api.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });

  it('carries List-Unsubscribe headers and the same signed link in the body', async () => {
    const { message, url, post } = await firstEmail();
    expect(url.startsWith(`${PUBLIC_TEST_URL}/u/`)).toBe(true);
    expect(post).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(message?.html).toContain(`href="${url}"`);
  });

  it('refuses a tampered token and changes nothing', async () => {
    const { path } = await firstEmail();
    const last = path.at(-1) === 'A' ? 'B' : 'A';
    const tampered = await oneClick(`${path.slice(0, -1)}${last}`);
    expect(tampered.statusCode).toBeGreaterThanOrEqual(400);
    const [row] = await stack.database.db.select().from(customers).where(eq(customers.id, 'rfc'));
    expect(row?.consent).toEqual({});
  });

  it('unsubscribes with the one-click POST, and the next marketing email is skipped with the reason', async () => {
    const { path } = await firstEmail();
    const response = await oneClick(path);
    expect(response.statusCode).toBe(200);
    const [row] = await stack.database.db.select().from(customers).where(eq(customers.id, 'rfc'));
    expect(row?.consent).toMatchObject({ email: 'opted_out' });

    const second = await eventually(async () => {
      const list = await stack.request<DeliveryList>('GET', '/v1/customers/rfc/deliveries');
      const issue2 = list.body.deliveries.find((d) => d.stepId === 'issue_2');
      return issue2?.status === 'pending' ? null : issue2;
    });
    expect(second).toMatchObject({ status: 'skipped', reason: 'no_consent' });
    expect(
      stack.smtp.messages.filter((m) => m.envelope.to.includes('rfc@example.com')),
    ).toHaveLength(1);
  });
});
