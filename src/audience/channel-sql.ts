import { sql, type SQL } from 'drizzle-orm';
import {
  customerLifecycle,
  customerTopics,
  customers,
  deviceTokens,
  segmentMemberships,
  suppressions,
  topics,
} from '../db/schema';
import type { ConditionBody } from '../segments/condition-body';
import type { ConditionKind } from '../segments/schema';

/**
 * reachable, consented, subscribed, inSegment and lifecycleStage in SQL. Addresses are matched to suppressions as
 * the send path matches them (src/guardrails/send-state.ts): the email lower-cased and trimmed,
 * the phone as stored (E.164 when written through the API, which validates it), push tokens as is.
 */

type Body<K extends ConditionKind> = ConditionBody<K>;

const suppressed = (channel: 'email' | 'sms' | 'push', address: SQL) =>
  sql`exists (select 1 from ${suppressions} where ${suppressions.channel} = ${channel}::text and ${suppressions.address} = ${address})`;

export function reachableSql(leaf: Body<'reachable'>): SQL {
  switch (leaf.channel) {
    case 'email':
      return sql`(${customers.email} is not null and not ${suppressed('email', sql`lower(btrim(${customers.email}))`)})`;
    case 'sms':
      return sql`(${customers.phone} is not null and not ${suppressed('sms', sql`${customers.phone}`)})`;
    case 'push':
      return sql`exists (select 1 from ${deviceTokens} where ${deviceTokens.customerId} = ${customers.id} and not ${suppressed('push', sql`${deviceTokens.token}`)})`;
  }
}

const choice = (channel: 'email' | 'sms' | 'push') =>
  sql`(${customers.consent} ->> ${channel}::text)`;

const optedOut = (channel: 'email' | 'sms' | 'push') =>
  sql`(${choice(channel)} is not distinct from 'opted_out')`;

/** consentAllows (src/guardrails/channel-consent.ts) over the consent column. */
export function consentedSql(
  leaf: Body<'consented'>,
  emailMarketingDefault: 'opted_in' | 'opted_out',
): SQL {
  return sql`coalesce(${consentTest(leaf, emailMarketingDefault)}, false)`;
}

function consentTest(
  leaf: Body<'consented'>,
  emailMarketingDefault: 'opted_in' | 'opted_out',
): SQL {
  if (leaf.kind === 'transactional' && (leaf.channel === 'email' || leaf.channel === 'in_app')) {
    return sql`true`;
  }
  switch (leaf.channel) {
    case 'email':
      return sql`(coalesce(${choice('email')}, ${emailMarketingDefault}::text) = 'opted_in')`;
    case 'sms':
    case 'push':
      return leaf.kind === 'marketing'
        ? sql`(${choice(leaf.channel)} = 'opted_in')`
        : sql`(${choice(leaf.channel)} is distinct from 'opted_out')`;
    case 'in_app':
      return sql`not (${optedOut('email')} and ${optedOut('sms')} and ${optedOut('push')})`;
  }
}

/** isSubscribed (src/guardrails/topics.ts); a topic that does not exist is never subscribed. */
export function subscribedSql(leaf: Body<'subscribed'>): SQL {
  const status = sql`(select ${customerTopics.status} from ${customerTopics} where ${customerTopics.topicId} = ${topics.id} and ${customerTopics.customerId} = ${customers.id})`;
  return sql`exists (select 1 from ${topics} where ${topics.id} = ${leaf.topic}::text and case ${topics.mode} when 'opt_in' then coalesce(${status} = 'subscribed', false) else ${status} is distinct from 'unsubscribed' end)`;
}

export function inSegmentSql(leaf: Body<'inSegment'>): SQL {
  return sql`exists (select 1 from ${segmentMemberships} where ${segmentMemberships.segmentId} = ${leaf.segment}::text and ${segmentMemberships.customerId} = ${customers.id} and ${segmentMemberships.exitedAt} is null)`;
}

/** The stored stage (src/audience/lifecycle-stages.ts keeps it live); no row is no stage. */
export function lifecycleStageSql(leaf: Body<'lifecycleStage'>): SQL {
  return sql`exists (select 1 from ${customerLifecycle} where ${customerLifecycle.customerId} = ${customers.id} and ${customerLifecycle.stage} = ${leaf.stage}::text)`;
}
