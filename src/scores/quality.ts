import { resolveField } from '../journeys/field-paths';
import type { ProfileSnapshot } from '../journeys/run-types';
import { DAY_MS } from './decay';
import type { ProfileQualityScore } from './schema';

/** What the data-quality score reads of a customer, gathered by src/customers. */
export interface QualityFacts {
  /** The snapshot conditions see (hasEmail stands for the address, which is never in it). */
  profile: ProfileSnapshot;
  /** When the profile was last changed (epoch ms). */
  updatedAt: number;
  /** How many systems sent this customer's events (distinct `source` of their events). */
  sources: number;
}

export type QualityLevel = 'high' | 'medium' | 'low' | 'invalid';

/**
 * Seed S0's data quality: four checks scored 1, ½ or 0, averaged to 0..1 —
 *   email      an address is present (hasEmail);
 *   complete   the share of requiredFields present: ≥ 0.8 scores 1, ≥ 0.6 scores ½;
 *   fresh      the profile changed within 7 days scores 1, within 30 days ½;
 *   sources    events from 3 or more systems score 1, from 2 score ½.
 * A field is present when it holds something other than null, "" or false (hasEmail: false is
 * no address).
 */
export function qualityScore(definition: ProfileQualityScore, facts: QualityFacts, now: number) {
  const present = definition.requiredFields.filter((field) => {
    const resolved = resolveField(`profile.${field}`, { profile: facts.profile });
    return !resolved.missing && ![null, '', false].includes(resolved.value as never);
  }).length;
  const completeness = present / definition.requiredFields.length;
  const ageDays = (now - facts.updatedAt) / DAY_MS;
  const checks = [
    facts.profile.hasEmail === true ? 1 : 0,
    completeness >= 0.8 ? 1 : completeness >= 0.6 ? 0.5 : 0,
    ageDays <= 7 ? 1 : ageDays <= 30 ? 0.5 : 0,
    facts.sources >= 3 ? 1 : facts.sources >= 2 ? 0.5 : 0,
  ];
  return checks.reduce((sum, check) => sum + check, 0) / checks.length;
}

/** Seed S0's levels of the score. */
export function qualityLevel(score: number): QualityLevel {
  if (score >= 0.8) return 'high';
  if (score >= 0.6) return 'medium';
  if (score >= 0.4) return 'low';
  return 'invalid';
}
