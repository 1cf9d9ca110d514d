import { randomUUID } from 'node:crypto';
import type { SpecMessage } from '../contract/spec-calls';
import { existingCustomerIds } from '../customers';
import type { Database } from '../db/database';
import {
  anonymousCustomerId,
  currentCustomerId,
  knownCustomers,
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

/** What a request applied: each call, and the survivors of the merges it made. */
export interface AppliedCalls {
  messages: AppliedMessage[];
  /**
   * Customers that took another in by a merge: their runs may now be in one journey twice, which
   * the caller settles once this transaction has committed (collapseDuplicateRuns).
   */
  mergedInto: string[];
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
): Promise<AppliedCalls> {
  const effects = messages.map((m) => specEffect(m, defaults, context.receivedAt, randomUUID));
  return deps.db.transaction(async (tx) => {
    const fresh = await claimMessageIds(
      tx,
      effects.map((e) => ({ messageId: e.messageId, type: e.type })),
      context.receivedAt,
    );
    // Calls of visitors already known need no resolution: found in bulk, not one by one.
    const known = await knownCustomers(tx, effects.map(identifiersOf), deps.mergeRules);
    const applied: AppliedMessage[] = [];
    const events: IncomingEvent[] = [];
    const eventIndexes: number[] = [];
    const profiles = { created: new Set<string>(), mergedInto: new Set<string>() };
    let resolved = false;
    for (const [index, effect] of effects.entries()) {
      if (!fresh.delete(effect.messageId)) {
        applied.push({ messageId: effect.messageId, duplicate: true, customerId: null });
        continue;
      }
      const knownId = effect.type === 'alias' ? null : known[index];
      resolved ||= !knownId;
      const customerId =
        knownId ?? (await customerOf(tx, deps, effect, context, profiles).catch(at(index)));
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
    // An event's customer is checked by recordEvents, a profile write's by its admission.
    await refuseErased(
      tx,
      applied.map((a, i) =>
        effects[i]?.event || effects[i]?.profile ? { ...a, customerId: null } : a,
      ),
    );
    // Only a resolution can have merged a customer that an earlier call of the batch named.
    const survivors = resolved
      ? await survivorOf(tx, [...applied.map((a) => a.customerId ?? '')])
      : new Map<string, string>();
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
    return {
      messages: applied.map((a) => ({ ...a, customerId: a.customerId && current(a.customerId) })),
      mergedInto: [...new Set([...profiles.mergedInto].map(current))],
    };
  });
}

/** The customer a call is about after identity resolution (an alias merges the earlier id). */
async function customerOf(
  tx: Database,
  deps: SpecCallDeps,
  effect: SpecEffect,
  context: SpecCallContext,
  profiles: { created: Set<string>; mergedInto: Set<string> },
): Promise<string> {
  const options = {
    rules: deps.mergeRules,
    source: context.source,
    now: context.receivedAt,
    causedBy: `spec:${effect.type}:${context.source}`,
  };
  if (effect.type === 'alias' && effect.userId && effect.previousId) {
    return aliasCustomers(tx, effect.userId, effect.previousId, options, profiles.mergedInto);
  }
  const resolution = await resolveCustomer(tx, identifiersOf(effect), options);
  if (resolution.created) profiles.created.add(resolution.customerId);
  if (resolution.merges.some((m) => m.status === 'merged')) {
    profiles.mergedInto.add(resolution.customerId);
  }
  return resolution.customerId;
}

/**
 * Who a call names: its ids, and for identify the email and phone of its traits too, which know
 * a person across devices as well as a userId does (a newsletter form on a second device names
 * only the email). Whether each may merge customers is the merge rules' (CAIRN_MERGE_RULES).
 */
function identifiersOf(effect: SpecEffect): Identifiers {
  const traits = effect.type === 'identify' ? effect.profile : undefined;
  return {
    ...(effect.userId !== undefined ? { userId: effect.userId } : {}),
    ...(effect.anonymousId !== undefined ? { anonymousId: effect.anonymousId } : {}),
    ...(typeof traits?.email === 'string' ? { email: traits.email } : {}),
    ...(typeof traits?.phone === 'string' ? { phone: traits.phone } : {}),
  };
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
  mergedInto: Set<string>,
): Promise<string> {
  const earlier = [previousId, anonymousCustomerId(previousId)];
  const known = await existingCustomerIds(tx, earlier);
  const previous = earlier.find((id) => known.has(id));
  if (previous === undefined) {
    const resolution = await resolveCustomer(tx, { userId, anonymousId: previousId }, options);
    if (resolution.merges.some((m) => m.status === 'merged')) mergedInto.add(resolution.customerId);
    return resolution.customerId;
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
    mergedInto.add(into);
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
