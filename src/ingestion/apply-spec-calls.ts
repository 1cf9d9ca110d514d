import { randomUUID } from 'node:crypto';
import type { SpecMessage } from '../contract/spec-calls';
import { existingCustomerIds } from '../customers';
import type { Database } from '../db/database';
import {
  anonymousCustomerId,
  currentCustomerId,
  mergeCustomers,
  resolveCustomer,
  survivorOf,
  type Identifiers,
  type MergeRules,
} from '../identity';
import type { IdentifierKey } from '../privacy/identifier-hash';
import { standingTombstoneIds } from '../privacy/tombstones';
import { CustomerErasedError, recordEvents, type IncomingEvent } from '../routing/record-events';
import { claimMessageIds } from './message-ledger';
import { specEffect, type BatchDefaults, type SpecEffect } from './spec-effects';
import { newProfileStages, writeProfile } from './write-profile';

export interface SpecCallDeps {
  db: Database;
  mergeRules: MergeRules;
  /** The privacy key that hashes identifiers of erased customers (src/privacy). */
  identifierKey?: IdentifierKey | undefined;
  emailMarketingDefault: 'opted_in' | 'opted_out';
  maxEventBytes?: number | undefined;
}

export interface SpecCallContext {
  /** The source the write key names (website, mobile_app, …), or api. */
  source: string;
  receivedAt: Date;
}

export interface AppliedMessage {
  messageId: string;
  duplicate: boolean;
  customerId: string | null;
}

/**
 * A call refused by what it met (an erased customer or identifier, an event too large, no usable
 * identifier): `cause` is the refusal, `indexes` the calls of the batch it names. Nothing of the
 * batch was applied.
 */
export class SpecCallRefused extends Error {
  override readonly name = 'SpecCallRefused';
  constructor(
    readonly indexes: number[],
    override readonly cause: unknown,
  ) {
    super('Segment-spec call refused');
  }
}

/**
 * Applies Segment-spec calls in order, all or nothing, in one transaction: each call's messageId
 * is claimed first (a replayed one changes nothing), its identities resolve to one customer (an
 * identify or track naming a userId and the anonymousId that browsed before merges them, as the
 * merge rules allow), traits change the profile as PUT /v1/customers/{id} would, and the events
 * are stored together at the end, on the customer each call resolved to — or its survivor, when a
 * later call of the batch merged it away. The router is notified by the caller after commit.
 */
export async function applySpecCalls(
  deps: SpecCallDeps,
  messages: SpecMessage[],
  defaults: BatchDefaults,
  context: SpecCallContext,
): Promise<AppliedMessage[]> {
  const effects = messages.map((m) => specEffect(m, defaults, context.receivedAt, randomUUID));
  return deps.db.transaction(async (tx) => {
    const fresh = await claimMessageIds(
      tx,
      effects.map((e) => ({ messageId: e.messageId, type: e.type })),
      context.receivedAt,
    );
    const applied: AppliedMessage[] = [];
    const events: IncomingEvent[] = [];
    const eventIndexes: number[] = [];
    const profiles = { created: new Set<string>() };
    for (const [index, effect] of effects.entries()) {
      if (!fresh.delete(effect.messageId)) {
        applied.push({ messageId: effect.messageId, duplicate: true, customerId: null });
        continue;
      }
      const customerId = await customerOf(tx, deps, effect, context, profiles).catch(at(index));
      if (effect.profile) {
        const written = await writeProfile(tx, deps, customerId, effect.profile, {
          newOptIn: false,
          now: context.receivedAt,
          source: context.source,
        }).catch(at(index));
        // Its stage and segments are looked after by writeProfile.
        if (written.created) profiles.created.delete(customerId);
      }
      if (effect.event) {
        events.push({ id: effect.messageId, customerId, ...effect.event });
        eventIndexes.push(index);
      }
      applied.push({ messageId: effect.messageId, duplicate: false, customerId });
    }
    await refuseErased(tx, applied);
    const survivors = await survivorOf(tx, [...applied.map((a) => a.customerId ?? '')]);
    const current = (id: string) => survivors.get(id) ?? id;
    await recordEvents(
      tx,
      events.map((e) => ({ ...e, customerId: current(e.customerId) })),
      { source: context.source, now: context.receivedAt, maxEventBytes: deps.maxEventBytes },
    ).catch((error: unknown) => {
      const items = (error as { indexes?: unknown }).indexes;
      const indexes = Array.isArray(items) ? items.map((i: number) => eventIndexes[i] ?? i) : [];
      throw new SpecCallRefused(indexes, error);
    });
    const created = [...new Set([...profiles.created].map(current))];
    await newProfileStages(tx, deps, created, context.receivedAt);
    return applied.map((a) => ({ ...a, customerId: a.customerId && current(a.customerId) }));
  });
}

/** The customer a call is about after identity resolution (an alias merges the earlier id). */
async function customerOf(
  tx: Database,
  deps: SpecCallDeps,
  effect: SpecEffect,
  context: SpecCallContext,
  profiles: { created: Set<string> },
): Promise<string> {
  const options = {
    rules: deps.mergeRules,
    source: context.source,
    now: context.receivedAt,
    causedBy: `spec:${effect.type}:${context.source}`,
  };
  if (effect.type === 'alias' && effect.userId && effect.previousId) {
    return aliasCustomers(tx, effect.userId, effect.previousId, options);
  }
  const ids: Identifiers = {
    ...(effect.userId !== undefined ? { userId: effect.userId } : {}),
    ...(effect.anonymousId !== undefined ? { anonymousId: effect.anonymousId } : {}),
  };
  const resolution = await resolveCustomer(tx, ids, options);
  if (resolution.created) profiles.created.add(resolution.customerId);
  return resolution.customerId;
}

/**
 * alias(previousId → userId): the customer the earlier id stands for — a former userId's own
 * profile, else the anonymous visitor it was — merges into the userId's customer. An earlier id
 * nobody has used yet is kept as the userId's anonymousId, so its first events find them.
 */
async function aliasCustomers(
  tx: Database,
  userId: string,
  previousId: string,
  options: { rules: MergeRules; source: string; now: Date; causedBy: string },
): Promise<string> {
  const earlier = [previousId, anonymousCustomerId(previousId)];
  const known = await existingCustomerIds(tx, earlier);
  const previous = earlier.find((id) => known.has(id));
  if (previous === undefined) {
    return (await resolveCustomer(tx, { userId, anonymousId: previousId }, options)).customerId;
  }
  const into = (await resolveCustomer(tx, { userId }, options)).customerId;
  const from = await currentCustomerId(tx, previous);
  if (from !== into) {
    await mergeCustomers(tx, {
      from,
      into,
      reason: 'alias',
      causedBy: options.causedBy,
      now: options.now,
    });
  }
  return into;
}

/** A call that resolved to an erased customer refuses the batch, naming the calls. */
async function refuseErased(tx: Database, applied: AppliedMessage[]): Promise<void> {
  const ids = applied.flatMap((a) => (a.customerId ? [a.customerId] : []));
  const erased = new Set(await standingTombstoneIds(tx, ids));
  if (erased.size === 0) return;
  const indexes = applied.flatMap((a, index) =>
    a.customerId && erased.has(a.customerId) ? [index] : [],
  );
  throw new SpecCallRefused(indexes, new CustomerErasedError(indexes));
}

const at =
  (index: number) =>
  (error: unknown): never => {
    throw error instanceof SpecCallRefused ? error : new SpecCallRefused([index], error);
  };
