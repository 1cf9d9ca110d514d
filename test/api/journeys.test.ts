/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any; the assertions check the shape. */
import { count } from 'drizzle-orm';
import { journeys, journeyVersions } from '../../src/db/schema';
import { auth, createHarness, welcomeJourney, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
});
afterAll(async () => h.close());

const post = (payload: unknown) =>
  h.inject({ method: 'POST', url: '/v1/journeys', headers: auth, payload });
const versionCount = async () => (await h.db.db.select({ n: count() }).from(journeyVersions))[0]?.n;

describe('journeys', () => {
  it('publishes version 1, then an immutable version 2 that becomes active', async () => {
    const first = await post(welcomeJourney);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ id: 'welcome', version: 1, status: 'active' });

    const second = await post({ ...welcomeJourney, name: 'Welcome series, shorter' });
    expect(second.statusCode).toBe(201);
    expect(second.json().version).toBe(2);

    const active = (await h.inject({ url: '/v1/journeys/welcome', headers: auth })).json();
    expect(active).toMatchObject({
      id: 'welcome',
      activeVersion: 2,
      triggerEvent: 'signed_up',
      name: 'Welcome series, shorter',
    });
    expect(active.definition.name).toBe('Welcome series, shorter');

    const v1 = (await h.inject({ url: '/v1/journeys/welcome/versions/1', headers: auth })).json();
    expect(v1).toMatchObject({
      journeyId: 'welcome',
      version: 1,
      definition: { name: 'Welcome series' },
    });
    // Stored with defaults filled in, so a version is self-describing.
    expect(v1.definition.steps[0].kind).toBe('marketing');

    const list = (await h.inject({ url: '/v1/journeys', headers: auth })).json();
    expect(list.journeys.map((j: { id: string }) => j.id)).toEqual(['welcome']);
  });

  it('rejects an invalid definition naming each path and reason, and stores nothing', async () => {
    const before = await versionCount();
    const bad = {
      ...welcomeJourney,
      id: 'broken',
      steps: [
        welcomeJourney.steps[0],
        { id: 'pause', type: 'wait', for: '2d', next: 'nowhere' },
        { id: 'done', type: 'exit' },
      ],
    };
    const res = await post(bad);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({
      code: 'validation_failed',
      message: 'invalid request body',
      issues: [{ path: 'steps.1.next', message: 'no step with id "nowhere"' }],
    });
    expect(await versionCount()).toBe(before);
    expect((await h.inject({ url: '/v1/journeys/broken', headers: auth })).statusCode).toBe(404);
  });

  it('names nested field errors such as a bad duration', async () => {
    const res = await post({
      ...welcomeJourney,
      id: 'broken-2',
      steps: [{ ...welcomeJourney.steps[1], for: 'two days' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual(
      expect.arrayContaining([
        { path: 'steps.0.for', message: expect.stringContaining('duration') },
      ]),
    );
    expect((await h.db.db.select({ n: count() }).from(journeys))[0]?.n).toBe(1);
  });

  it('pauses and activates a journey, and 404s an unknown version', async () => {
    const paused = await h.inject({
      method: 'POST',
      url: '/v1/journeys/welcome/pause',
      headers: auth,
    });
    expect(paused.json().status).toBe('paused');
    const republished = await post(welcomeJourney);
    expect(republished.json()).toMatchObject({ version: 3, status: 'paused' });
    const active = await h.inject({
      method: 'POST',
      url: '/v1/journeys/welcome/activate',
      headers: auth,
    });
    expect(active.json()).toMatchObject({ status: 'active', activeVersion: 3 });

    const missing = await h.inject({ url: '/v1/journeys/welcome/versions/9', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('journey_version_not_found');
    const badParam = await h.inject({ url: '/v1/journeys/welcome/versions/zero', headers: auth });
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json().error.issues[0].path).toBe('version');
  });
});
