/**
 * Frequency cap rules and their window arithmetic. Pure: no clock, no I/O, so the same code can
 * decide a defer in a workflow, validate configuration at start, and count claims in an activity.
 */
import { parseDuration } from '../journeys/durations';

export const CAP_CHANNELS = ['email', 'sms', 'push', 'webhook', 'in_app', 'all'] as const;
export type CapChannel = (typeof CAP_CHANNELS)[number];

/** At most `limit` marketing messages on `channel` (or on every channel, for 'all') per `window`. */
export interface CapRule {
  channel: CapChannel;
  limit: number;
  /** A duration of the journey language: "12h", "1d", "7d", "1w". */
  window: string;
}

/** One claimed message, as far as caps are concerned. */
export interface CapClaim {
  channel: string;
  claimedAt: Date;
}

export interface CapBreach {
  rule: CapRule;
  /** The earliest moment the rule allows one more message, given the claims seen now. */
  retryAt: Date;
  /** Claims the rule counted in its window. */
  counted: number;
}

export interface CapRuleIssue {
  path: string;
  message: string;
}

/** Every problem in a rule list at once, each naming the entry and field. */
export class CapRulesError extends Error {
  override readonly name = 'CapRulesError';
  constructor(
    readonly source: string,
    readonly issues: CapRuleIssue[],
  ) {
    super(
      `invalid frequency caps in ${source}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
  }
}

export const FREQUENCY_CAPS_ENV = 'CAIRN_FREQUENCY_CAPS';

/**
 * Parses CAIRN_FREQUENCY_CAPS, a JSON array of rules. Unset or blank means no global caps.
 * Throws CapRulesError for bad JSON or any bad rule, so the process refuses to start.
 */
export function parseFrequencyCapsEnv(value: string | undefined): CapRule[] {
  if (value === undefined || value.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new CapRulesError(FREQUENCY_CAPS_ENV, [
      { path: FREQUENCY_CAPS_ENV, message: 'is not valid JSON (expected an array of rules)' },
    ]);
  }
  return parseCapRules(parsed, FREQUENCY_CAPS_ENV);
}

/**
 * Validates a list of rules. Two rules with the same channel and the same window length ("24h"
 * and "1d" are the same window) are an error: which limit applies would be ambiguous.
 */
export function parseCapRules(input: unknown, source = 'frequencyCaps'): CapRule[] {
  if (!Array.isArray(input)) {
    throw new CapRulesError(source, [{ path: source, message: 'must be an array of rules' }]);
  }
  const issues: CapRuleIssue[] = [];
  const rules: CapRule[] = [];
  const seen = new Map<string, number>();
  input.forEach((entry: unknown, index) => {
    const path = `${source}[${index}]`;
    const rule = parseRule(entry, path, issues);
    if (!rule) return;
    const first = seen.get(capRuleKey(rule));
    if (first !== undefined) {
      const message = `repeats the ${rule.channel} cap over the same window as ${source}[${first}]`;
      issues.push({ path, message });
    }
    seen.set(capRuleKey(rule), first ?? index);
    rules.push(rule);
  });
  if (issues.length > 0) throw new CapRulesError(source, issues);
  return rules;
}

function parseRule(entry: unknown, path: string, issues: CapRuleIssue[]): CapRule | null {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    issues.push({ path, message: 'must be an object with channel, limit and window' });
    return null;
  }
  const record = entry as Record<string, unknown>;
  const before = issues.length;
  for (const key of Object.keys(record)) {
    if (!['channel', 'limit', 'window'].includes(key)) {
      issues.push({ path: `${path}.${key}`, message: 'is not a known field' });
    }
  }
  const { channel, limit, window } = record;
  if (!CAP_CHANNELS.includes(channel as CapChannel)) {
    issues.push({ path: `${path}.channel`, message: `must be one of ${CAP_CHANNELS.join(', ')}` });
  }
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
    issues.push({ path: `${path}.limit`, message: 'must be a positive whole number' });
  }
  const windowIssue = checkWindow(window);
  if (windowIssue) issues.push({ path: `${path}.window`, message: windowIssue });
  if (issues.length > before) return null;
  return { channel: channel as CapChannel, limit: limit as number, window: window as string };
}

function checkWindow(window: unknown): string | null {
  if (typeof window !== 'string') return 'must be a duration such as "12h", "1d" or "7d"';
  try {
    parseDuration(window);
    return null;
  } catch {
    return 'must be a positive whole number followed by s, m, h, d or w, e.g. "1d"';
  }
}

/** Identity of a rule for merging: its channel and window length. */
export function capRuleKey(rule: CapRule): string {
  return `${rule.channel}/${windowMs(rule)}`;
}

/**
 * The rules that apply to one journey's messages. A journey override with the same channel and
 * window length as a global rule replaces it, in place, whether it is stricter or looser; an
 * override for a channel/window the global rules do not have is added after them. Global rules
 * without an override keep applying. An override changes only the limit this journey's messages
 * are checked against: the count always includes every journey's messages. Overrides that repeat
 * a channel and window (which parseCapRules rejects) do not throw at send time: the lowest limit
 * among them applies, failing closed.
 */
export function mergeCapRules(global: CapRule[], journeyOverrides: CapRule[]): CapRule[] {
  const overrides = new Map<string, CapRule>();
  for (const rule of journeyOverrides) {
    const key = capRuleKey(rule);
    const earlier = overrides.get(key);
    if (!earlier || rule.limit < earlier.limit) overrides.set(key, rule);
  }
  const merged = global.map((rule) => {
    const override = overrides.get(capRuleKey(rule));
    overrides.delete(capRuleKey(rule));
    return override ?? rule;
  });
  return [...merged, ...overrides.values()];
}

export function windowMs(rule: CapRule): number {
  return parseDuration(rule.window);
}

/** Whether a message on `channel` counts towards the rule. */
export function ruleCovers(rule: CapRule, channel: string): boolean {
  return rule.channel === 'all' || rule.channel === channel;
}

/** The rules a message on `channel` is checked against. */
export function rulesFor(rules: CapRule[], channel: string): CapRule[] {
  return rules.filter((rule) => ruleCovers(rule, channel));
}

/** How far back the claims must be read to decide every rule. */
export function longestWindowMs(rules: CapRule[]): number {
  return rules.reduce((longest, rule) => Math.max(longest, windowMs(rule)), 0);
}

/**
 * Decides one more message on `channel` at `now` against the claims already made. A claim counts
 * when it lies in (now - window, now + ∞): a claim exactly one window old has expired. Returns
 * null when every rule has room, otherwise the breached rule that frees up last (so a deferred
 * message re-checked at `retryAt` is not refused by another rule that is still full).
 */
export function evaluateCaps(
  rules: CapRule[],
  channel: string,
  claims: CapClaim[],
  now: Date,
): CapBreach | null {
  let worst: CapBreach | null = null;
  for (const rule of rulesFor(rules, channel)) {
    const breach = breachOf(rule, claims, now);
    if (breach && (!worst || breach.retryAt.getTime() > worst.retryAt.getTime())) worst = breach;
  }
  return worst;
}

function breachOf(rule: CapRule, claims: CapClaim[], now: Date): CapBreach | null {
  const span = windowMs(rule);
  const since = now.getTime() - span;
  const inWindow = claims
    .filter((claim) => ruleCovers(rule, claim.channel) && claim.claimedAt.getTime() > since)
    .map((claim) => claim.claimedAt.getTime())
    .sort((a, b) => a - b);
  if (inWindow.length < rule.limit) return null;
  // Room returns when enough of the oldest claims expire to bring the count below the limit:
  // normally just the oldest one, more when the window already holds more than the limit.
  const freeing = inWindow[inWindow.length - rule.limit] as number;
  return { rule, retryAt: new Date(freeing + span), counted: inWindow.length };
}
