import { ENGAGEMENT_EVENT_TYPES as forBestHour } from '../../src/activities/engagement';
import { ENGAGEMENT_EVENT_TYPES } from '../../src/customers';

// src/customers owns what counts as engagement; until the best-hour activity imports that list,
// this keeps the two from drifting apart (last_engaged_at and best hour must agree).
it('counts the same events as engagement for last_engaged_at and for best-hour waits', () => {
  expect([...forBestHour].sort()).toEqual([...ENGAGEMENT_EVENT_TYPES].sort());
});
