import { customerMemberships } from '../audience/customer-audience';
import { customerStage } from '../audience/customer-stage';
import { loadScoreCatalogue } from '../audience/score-catalogue';
import { listTokens } from '../channels/device-tokens';
import { EXPORT_SECTION_LIMIT, type CustomerExport } from '../contract/privacy';
import { customerConversions } from '../conversions/customer-conversions';
import { customerScoreViews, readCustomer, scoreView } from '../customers';
import type { Database } from '../db/database';
import { identifiersOf } from '../identity/identifier-rows';
import { listCustomerDeliveries } from '../deliveries/customer-deliveries';
import { suppressionsOf } from '../guardrails/customer-suppressions';
import { topicStates } from '../guardrails/topics';
import { listInbox } from '../inbox/inbox-messages';
import { customerEvents } from '../routing/customer-erasure';
import { listCustomerRuns } from '../routing/run-registry';
import { customerDeliveryLinks } from '../tracking/delivery-links';
import { suppressionChannelOf } from './identifier-hash';

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

/**
 * Everything Cairn holds about one customer, as src/contract/privacy.ts documents it: each
 * section read from the module that owns its table, in one read-only snapshot so the sections
 * agree. Null for a customer Cairn does not have. Each list holds at most EXPORT_SECTION_LIMIT
 * rows (one row more is read to tell a full section from a cut one).
 */
export async function exportCustomer(
  db: Database,
  customerId: string,
  now: Date,
): Promise<CustomerExport | null> {
  return db.transaction((tx) => exportIn(tx, customerId, now), {
    isolationLevel: 'repeatable read',
    accessMode: 'read only',
  });
}

async function exportIn(
  db: Database,
  requestedId: string,
  now: Date,
): Promise<CustomerExport | null> {
  const customer = await readCustomer(db, requestedId);
  if (!customer) return null;
  // A customer merged away (src/identity) is read as its survivor: the export is the survivor's.
  const customerId = customer.id;
  const truncated: string[] = [];
  const cut = <T>(section: string, rows: T[]): T[] => {
    if (rows.length <= EXPORT_SECTION_LIMIT) return rows;
    truncated.push(section);
    return rows.slice(0, EXPORT_SECTION_LIMIT);
  };
  const read = EXPORT_SECTION_LIMIT + 1;
  const devices = await listTokens(db, customerId);
  const addresses = [
    ...(customer.email
      ? [{ channel: suppressionChannelOf('email'), address: customer.email }]
      : []),
    ...(customer.phone
      ? [{ channel: suppressionChannelOf('phone'), address: customer.phone }]
      : []),
    ...devices.map((d) => ({ channel: suppressionChannelOf('push_token'), address: d.token })),
  ];
  const events = cut('events', await customerEvents(db, customerId, read));
  const deliveries = cut(
    'deliveries',
    (await listCustomerDeliveries(db, customerId, read)).reverse(),
  );
  const inbox = await listInbox(db, customerId, { status: 'all', limit: EXPORT_SECTION_LIMIT });
  if (inbox?.nextCursor) truncated.push('inbox');
  const conversions = cut('conversions', await customerConversions(db, customerId, read));
  const runs = cut('runs', (await listCustomerRuns(db, customerId, read)).reverse());
  const scores = await customerScoreViews(db, customerId, {
    now,
    contributionsShown: EXPORT_SECTION_LIMIT,
    scores: await loadScoreCatalogue(db),
  });
  const stage = await customerStage(db, customerId);
  return {
    customerId,
    exportedAt: iso(now),
    profile: {
      email: customer.email,
      phone: customer.phone,
      timeZone: customer.timeZone,
      locale: customer.locale,
      attributes: customer.attributes,
      consent: customer.consent,
      createdAt: iso(customer.createdAt),
      updatedAt: iso(customer.updatedAt),
    },
    topics: (await topicStates(db, customerId)).map((state) => ({
      topicId: state.topic.id,
      choice: state.choice,
      subscribed: state.subscribed,
    })),
    devices: devices.map((d) => ({
      token: d.token,
      platform: d.platform,
      createdAt: iso(d.createdAt),
      lastSeenAt: iso(d.lastSeenAt),
    })),
    suppressions: (await suppressionsOf(db, addresses)).map((s) => ({
      channel: s.channel,
      address: s.address,
      reason: s.reason,
      source: s.source,
      createdAt: iso(s.createdAt),
    })),
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      occurredAt: iso(e.occurredAt),
      receivedAt: iso(e.receivedAt),
      properties: e.properties,
      source: e.source,
      deliveryId: e.deliveryId,
      flags: e.flags,
    })),
    deliveries: deliveries.map((d) => ({
      id: d.id,
      journeyId: d.journeyId,
      journeyVersion: d.journeyVersion,
      workflowId: d.workflowId,
      stepId: d.stepId,
      channel: d.channel,
      messageKind: d.messageKind,
      status: d.status,
      reason: d.reason,
      recipient: d.recipient,
      subject: d.subject,
      topic: d.topic,
      providerMessageId: d.providerMessageId,
      createdAt: iso(d.createdAt),
      sentAt: isoOrNull(d.sentAt),
    })),
    trackedLinks: cut('trackedLinks', await customerDeliveryLinks(db, customerId)),
    inbox: [...(inbox?.messages ?? [])].reverse().map((m) => ({
      id: m.id,
      deliveryId: m.deliveryId,
      title: m.title,
      body: m.body,
      actionUrl: m.actionUrl,
      data: m.data,
      status: m.status,
      createdAt: iso(m.createdAt),
      readAt: isoOrNull(m.readAt),
      archivedAt: isoOrNull(m.archivedAt),
    })),
    conversions: conversions.map((c) => ({
      eventId: c.eventId,
      model: c.model,
      deliveryId: c.deliveryId,
      journeyId: c.journeyId,
      journeyVersion: c.journeyVersion,
      stepId: c.stepId,
      channel: c.channel,
      weight: c.weight,
      revenue: c.revenue,
      currency: c.currency,
      occurredAt: iso(c.occurredAt),
    })),
    segments: (await customerMemberships(db, customerId)).map((m) => ({
      segmentId: m.segmentId,
      version: m.version,
      enteredAt: iso(m.enteredAt),
      exitedAt: isoOrNull(m.exitedAt),
    })),
    scores: (scores ?? []).map(scoreView),
    lifecycle: stage ? { stage: stage.stage, since: iso(stage.since) } : null,
    runs: runs.map((r) => ({
      workflowId: r.workflowId,
      journeyId: r.journeyId,
      journeyVersion: r.journeyVersion,
      key: r.runKey,
      status: r.status,
      finishReason: r.finishReason,
      startedAt: iso(r.startedAt),
      endedAt: isoOrNull(r.endedAt),
      trace: r.trace,
    })),
    identifiers: (await identifiersOf(db, customerId)).map((row) => ({
      type: row.type,
      value: row.value,
      source: row.source,
      firstSeen: iso(row.firstSeen),
    })),
    truncated,
  };
}
