import type { ApiIssue } from '../contract/common';

/**
 * What one request may carry, checked before any schema runs (README, "HTTP API: errors and
 * input limits"). zod walks a body recursively, so nesting is bounded before it sees one; Postgres
 * refuses NUL bytes and lone surrogates in text and jsonb, so no string (nor property name)
 * carrying one gets past.
 */
export const INPUT_LIMITS = {
  /** A request body, in bytes: a full batch of 500 events with 10 KiB of properties each. */
  bodyBytes: 5 * 1024 * 1024,
  /** The request target (path and query string), in bytes. */
  urlBytes: 8 * 1024,
  /** All header names and values together, in bytes. */
  headerBytes: 16 * 1024,
  /** What Node reads of a request line and headers at all; beyond it the connection is refused. */
  requestHeadBytes: 128 * 1024,
  /** Objects and arrays nested in a body, the body itself being level 1. */
  depth: 32,
  /** Characters in one string: an email's HTML fits (mail clients clip at about 100 KB). */
  stringLength: 100_000,
  /** Characters in one property name. */
  propertyNameLength: 256,
  /** Properties of one object. */
  properties: 1_000,
  /** Items of one array. */
  arrayItems: 10_000,
} as const;

/** Enough to fix a request; a body full of NULs should not answer a megabyte of issues. */
const MAX_ISSUES = 20;

const NUL = '\u0000';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Where a value is: the place of its container and its key there (null: the root). */
interface Place {
  parent: Place | null;
  key: string;
}

/** A container still to walk into. */
interface Pending {
  value: object;
  place: Place | null;
  level: number;
}

type Report = (place: Place | null, message: string) => void;

/**
 * The limits a parsed JSON value (a body, the path parameters, the query) breaks, each named by
 * its dotted path. Iterative, so no nesting can exhaust the stack; a value found too deep, too
 * long or too wide is reported without walking into it. Messages name the rule, never the value.
 */
export function inputIssues(value: unknown): ApiIssue[] {
  const issues: ApiIssue[] = [];
  const report: Report = (place, message) => issues.push({ path: dotted(place), message });
  const root = checked(value, null, 1, report);
  const pending: Pending[] = root ? [root] : [];
  while (pending.length > 0 && issues.length < MAX_ISSUES) {
    const containers = walkInto(pending.pop() as Pending, report);
    // Last first onto the stack, so they are walked in document order.
    for (let i = containers.length - 1; i >= 0; i -= 1) pending.push(containers[i] as Pending);
  }
  return issues.slice(0, MAX_ISSUES);
}

/** A scalar is checked at once; a container is answered, to be walked into later. */
function checked(
  value: unknown,
  place: Place | null,
  level: number,
  report: Report,
): Pending | null {
  if (typeof value === 'object' && value !== null) return { value, place, level };
  checkScalar(value, place, report);
  return null;
}

/** Checks a container's depth, size and property names and its scalars; answers its containers. */
function walkInto({ value, place, level }: Pending, report: Report): Pending[] {
  if (level > INPUT_LIMITS.depth) {
    report(place, `is nested more than ${INPUT_LIMITS.depth} levels deep`);
    return [];
  }
  const containers: Pending[] = [];
  const add = (child: unknown, key: string) => {
    const container = checked(child, { parent: place, key }, level + 1, report);
    if (container) containers.push(container);
  };
  if (Array.isArray(value)) {
    if (value.length > INPUT_LIMITS.arrayItems) {
      report(place, `must have at most ${INPUT_LIMITS.arrayItems} items`);
      return [];
    }
    value.forEach((item, index) => add(item, String(index)));
    return containers;
  }
  const record = value as Record<string, unknown>;
  const names = Object.keys(record);
  if (names.length > INPUT_LIMITS.properties) {
    report(place, `must have at most ${INPUT_LIMITS.properties} properties`);
    return [];
  }
  for (const name of names) {
    const problem = stringProblem(name, INPUT_LIMITS.propertyNameLength);
    // Such a name cannot be part of a path (the answer would quote input): its object is named.
    if (problem) report(place, `has a property name that ${problem}`);
    else if (isPrototypeKey(name, record[name]))
      report(
        { parent: place, key: name },
        'is a reserved name: it would change an object prototype',
      );
    else add(record[name], name);
  }
  return containers;
}

function checkScalar(value: unknown, place: Place | null, report: Report): void {
  if (typeof value === 'string') {
    const problem = stringProblem(value, INPUT_LIMITS.stringLength);
    if (problem) report(place, problem);
  } else if (typeof value === 'number' && !Number.isFinite(value)) {
    report(place, 'must be a finite number');
  }
}

function stringProblem(text: string, maxLength: number): string | null {
  if (text.includes(NUL)) return 'must not contain a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (a lone surrogate cannot be stored)';
  if (text.length > maxLength) return `must be at most ${maxLength} characters`;
  return null;
}

/** Merging such a property into another object would change that object's prototype. */
function isPrototypeKey(name: string, value: unknown): boolean {
  if (name === '__proto__') return true;
  return (
    name === 'constructor' &&
    typeof value === 'object' &&
    value !== null &&
    Object.hasOwn(value, 'prototype')
  );
}

function dotted(place: Place | null): string {
  const keys: string[] = [];
  for (let at = place; at; at = at.parent) keys.push(at.key);
  return keys.length > 0 ? keys.reverse().join('.') : '(root)';
}
