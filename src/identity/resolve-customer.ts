import { sql } from 'drizzle-orm';
import { ensureCustomer } from '../customers';
import type { Database } from '../db/database';
import { standingTombstone } from '../privacy/tombstones';
import { customerMerges } from '../db/schema';
import { addIdentifiers, findIdentifiers, identifiersOf } from './identifier-rows';
import { ruleTypeOf, type IdentifierKey, type Identifiers } from './identifiers';
import { limitBreach, limitReason } from './limits';
import { customerLockName, identifierLockName, lockNames } from './locks';
import { mergeCustomers } from './merge-customers';
import { ErasedCustomerError, NoIdentifierError } from './merge-errors';
import { mergesOn, type MergeRules } from './merge-rules';
import { identifierKeys, type IgnoredIdentifier } from './normalise';
import { chooseTarget, ownersOf, type OwnedKey } from './owners';

/** What became of a second customer the identifiers pointed at. */
export type MergeOutcome =
  | { status: 'merged'; mergeId: string; from: string; into: string; reason: string }
  | { status: 'refused'; from: string; into: string; reason: string };

export interface ResolveOptions {
  rules: MergeRules;
  /** Where the identifiers came from (website, crm, …): kept on new identifiers. */
  source?: string;
  now?: Date;
  /** Recorded on merges it causes; default `resolve:<source>`. */
  causedBy?: string;
}

export interface Resolution {
  customerId: string;
  created: boolean;
  merges: MergeOutcome[];
  /** New identifiers not added to the customer, and why (a limit). */
  skipped: { type: string; reason: string }[];
  /** Identifiers left out because their value never merges ("null", "0000", …). */
  ignored: IgnoredIdentifier[];
}

/**
 * The one customer these identifiers stand for, creating it (and its identifiers) when new and
 * merging the other customers they point at as the rules allow. One transaction; concurrent
 * resolves of the same identifiers queue on advisory locks per identifier, so they agree on one
 * customer. Throws NoIdentifierError when no identifier is usable.
 */
export async function resolveCustomer(
  db: Database,
  ids: Identifiers,
  options: ResolveOptions,
): Promise<Resolution> {
  const { keys, ignored } = identifierKeys(ids, options.rules);
  if (keys.length === 0) throw new NoIdentifierError(givenFields(ids));
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    await lockNames(
      tx,
      keys.map((key) => identifierLockName(key.type, key.value)),
    );
    let owned = await ownersOf(tx, keys);
    await lockNames(
      tx,
      owned.flatMap((o) => (o.owner ? [customerLockName(o.owner)] : [])),
    );
    // Locked now: a merge that finished meanwhile has re-pointed what we read.
    owned = await ownersOf(tx, keys);
    const customerId = chooseTarget(owned);
    if (await standingTombstone(tx, customerId))
      throw new ErasedCustomerError(fieldOf(owned, customerId));
    const created = await ensureCustomer(tx, customerId, options.source);
    const merges = await mergeOthers(tx, customerId, owned, options, now);
    const refused = new Set(merges.filter((m) => m.status === 'refused').map((m) => m.from));
    const skipped = await addNewIdentifiers(tx, customerId, owned, refused, options, now);
    return { customerId, created, merges, skipped, ignored };
  });
}

/** Merges every other customer the keys point at into the target, as the rules allow. */
async function mergeOthers(
  tx: Database,
  target: string,
  owned: OwnedKey[],
  options: ResolveOptions,
  now: Date,
): Promise<MergeOutcome[]> {
  const outcomes: MergeOutcome[] = [];
  const seen = new Set([target]);
  // Keys the target is about to hold count towards its limits (a userId implied by its id too).
  const newKeys = owned
    .filter((o) => !o.stored && (o.owner === null || o.owner === target))
    .map((o) => o.key);
  for (const { key, owner } of owned) {
    if (!owner || seen.has(owner)) continue;
    seen.add(owner);
    const reason = await refusalOf(tx, options.rules, key, owner, target, newKeys);
    if (reason) {
      await recordRefusal(tx, { from: owner, into: target, reason, options, now });
      outcomes.push({ status: 'refused', from: owner, into: target, reason });
      continue;
    }
    const merged = `shared:${ruleTypeOf(key.type)}`;
    const { mergeId } = await mergeCustomers(tx, {
      from: owner,
      into: target,
      reason: merged,
      causedBy: causedBy(options),
      now,
    });
    outcomes.push({ status: 'merged', mergeId, from: owner, into: target, reason: merged });
  }
  return outcomes;
}

/** Why `owner` may not merge into `target` over this key, or null when it may. */
async function refusalOf(
  tx: Database,
  rules: MergeRules,
  key: IdentifierKey,
  owner: string,
  target: string,
  newKeys: IdentifierKey[],
): Promise<string | null> {
  const type = ruleTypeOf(key.type);
  if (!mergesOn(rules, type)) return `not_merged_on:${type}`;
  const [own, other] = await Promise.all([identifiersOf(tx, target), identifiersOf(tx, owner)]);
  const breach = limitBreach(rules, [...own, ...other, ...newKeys]);
  return breach ? limitReason(breach) : null;
}

/** A refused merge, once per pair (later events repeating it change nothing). */
async function recordRefusal(
  tx: Database,
  refusal: { from: string; into: string; reason: string; options: ResolveOptions; now: Date },
): Promise<void> {
  await tx
    .insert(customerMerges)
    .values({
      fromCustomerId: refusal.from,
      intoCustomerId: refusal.into,
      status: 'refused',
      reason: refusal.reason,
      causedBy: causedBy(refusal.options),
      createdAt: refusal.now,
    })
    .onConflictDoNothing({
      target: [customerMerges.fromCustomerId, customerMerges.intoCustomerId],
      where: sql`status = 'refused'`,
    });
}

/**
 * Stores the keys nobody had as the target's, each within its limit (over it: skipped with the
 * reason). A key only a refused customer's profile holds stays theirs.
 */
async function addNewIdentifiers(
  tx: Database,
  target: string,
  owned: OwnedKey[],
  refused: Set<string>,
  options: ResolveOptions,
  now: Date,
): Promise<{ type: string; reason: string }[]> {
  const candidates = owned.filter((o) => !(o.owner && refused.has(o.owner))).map((o) => o.key);
  const stored = await findIdentifiers(tx, candidates);
  const isStored = (key: IdentifierKey) =>
    stored.some((row) => row.type === key.type && row.value === key.value);
  const held: IdentifierKey[] = await identifiersOf(tx, target);
  const adding: IdentifierKey[] = [];
  const skipped: { type: string; reason: string }[] = [];
  for (const key of candidates.filter((k) => !isStored(k))) {
    if (limitBreach(options.rules, [...held, ...adding, key])) {
      skipped.push({ type: key.type, reason: limitReason(key.type) });
    } else adding.push(key);
  }
  await addIdentifiers(tx, target, adding, {
    ...(options.source ? { source: options.source } : {}),
    now,
  });
  return skipped;
}

const causedBy = (options: ResolveOptions) =>
  options.causedBy ?? `resolve:${options.source ?? 'api'}`;

/** The field that named the customer (for the caller's 4xx): its key's type, else userId. */
function fieldOf(owned: OwnedKey[], customerId: string): string {
  const key = owned.find((o) => o.owner === customerId || o.key.value === customerId)?.key;
  return key ? ruleTypeOf(key.type) : 'userId';
}

function givenFields(ids: Identifiers): string[] {
  const fields = (['userId', 'anonymousId', 'email', 'phone'] as const).filter(
    (field) => ids[field] !== undefined,
  );
  return fields.length > 0 ? fields : ['userId'];
}
