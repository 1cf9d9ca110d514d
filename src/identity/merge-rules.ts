import { z } from 'zod';
import { IDENTIFIER_TYPES, type IdentifierType } from './identifiers';

const identifierType = z.enum(IDENTIFIER_TYPES);
const limit = z.number().int().min(0).max(1_000);

/**
 * When identifiers that point at two customers make them one. Configuration: the defaults below,
 * overridden key by key by CAIRN_MERGE_RULES (JSON, src/config.ts).
 */
export const mergeRulesSchema = z
  .object({
    /** Identifier types whose match merges two customers; a match on another type does not. */
    mergeOn: z.array(identifierType).max(IDENTIFIER_TYPES.length),
    /**
     * At most this many identifiers of a type on one customer (external: per source). A merge
     * that would go over refuses (reason `limit:<type>`); a new identifier over it is not added.
     */
    limits: z.object({
      userId: limit,
      anonymousId: limit,
      email: limit,
      phone: limit,
      external: limit,
    }),
    /** Values that never resolve or merge (case-insensitive), besides blanks and all zeros. */
    neverMerge: z.array(z.string().max(200)).max(1_000),
    /** Which identifier decides when they point at different customers: first wins. */
    priority: z
      .array(identifierType)
      .length(IDENTIFIER_TYPES.length)
      .refine((types) => new Set(types).size === types.length, 'must name each type once'),
  })
  .strict();

export type MergeRules = z.infer<typeof mergeRulesSchema>;

/**
 * The defaults. A phone does not merge: households and shops share numbers. One userId per
 * customer, so two signed-up people who share an email stay two.
 */
export const DEFAULT_MERGE_RULES: MergeRules = {
  mergeOn: ['userId', 'anonymousId', 'email', 'external'],
  limits: { userId: 1, anonymousId: 5, email: 3, phone: 3, external: 1 },
  neverMerge: ['null', 'undefined', 'nil', 'none', 'anonymous', 'unknown', 'n/a', 'na', 'test'],
  priority: ['userId', 'external', 'email', 'phone', 'anonymousId'],
};

export class MergeRulesError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid merge rules: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'MergeRulesError';
  }
}

/** The rules from CAIRN_MERGE_RULES: a JSON object whose keys replace the defaults' (limits key by key). */
export function parseMergeRulesEnv(value: string | undefined): MergeRules {
  if (!value?.trim()) return DEFAULT_MERGE_RULES;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new MergeRulesError([{ path: '(rules)', message: 'must be a JSON object' }]);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MergeRulesError([{ path: '(rules)', message: 'must be a JSON object' }]);
  }
  const given = json as Record<string, unknown>;
  const limits = given.limits;
  const merged = {
    ...DEFAULT_MERGE_RULES,
    ...given,
    limits:
      typeof limits === 'object' && limits !== null && !Array.isArray(limits)
        ? { ...DEFAULT_MERGE_RULES.limits, ...limits }
        : (limits ?? DEFAULT_MERGE_RULES.limits),
  };
  const parsed = mergeRulesSchema.safeParse(merged);
  if (!parsed.success) {
    throw new MergeRulesError(
      parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(rules)', message: i.message })),
    );
  }
  return parsed.data;
}

/** Whether a match on this identifier type may merge two customers. */
export function mergesOn(rules: MergeRules, type: IdentifierType): boolean {
  return rules.mergeOn.includes(type);
}
