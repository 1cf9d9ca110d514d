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

interface Pending {
  value: unknown;
  path: string[];
  level: number;
}

type Report = (path: string[], message: string) => void;

/**
 * The limits a parsed JSON value (a body, the path parameters, the query) breaks, each named by
 * its dotted path. Iterative, so no nesting can exhaust the stack; a value found too deep, too
 * long or too wide is reported without walking into it. Messages name the rule, never the value.
 */
export function inputIssues(value: unknown): ApiIssue[] {
  const issues: ApiIssue[] = [];
  const report: Report = (path, message) => issues.push({ path: dotted(path), message });
  const pending: Pending[] = [{ value, path: [], level: 1 }];
  while (pending.length > 0 && issues.length < MAX_ISSUES) {
    pending.push(...visit(pending.pop() as Pending, report));
  }
  return issues.slice(0, MAX_ISSUES);
}

/** Checks one value; answers what to walk into next. */
function visit({ value, path, level }: Pending, report: Report): Pending[] {
  if (typeof value === 'string') {
    const problem = stringProblem(value, INPUT_LIMITS.stringLength);
    if (problem) report(path, problem);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) report(path, 'must be a finite number');
  } else if (typeof value === 'object' && value !== null) {
    if (level > INPUT_LIMITS.depth)
      report(path, `is nested more than ${INPUT_LIMITS.depth} levels deep`);
    else if (Array.isArray(value)) return arrayItems(value, path, level, report);
    else return objectProperties(value as Record<string, unknown>, path, level, report);
  }
  return [];
}

function arrayItems(items: unknown[], path: string[], level: number, report: Report): Pending[] {
  if (items.length > INPUT_LIMITS.arrayItems) {
    report(path, `must have at most ${INPUT_LIMITS.arrayItems} items`);
    return [];
  }
  // Reversed onto the stack, so issues come out in document order.
  return items
    .map((value, index) => ({ value, path: [...path, String(index)], level: level + 1 }))
    .reverse();
}

function objectProperties(
  record: Record<string, unknown>,
  path: string[],
  level: number,
  report: Report,
): Pending[] {
  const names = Object.keys(record);
  if (names.length > INPUT_LIMITS.properties) {
    report(path, `must have at most ${INPUT_LIMITS.properties} properties`);
    return [];
  }
  const children: Pending[] = [];
  for (const name of names) {
    const problem = stringProblem(name, INPUT_LIMITS.propertyNameLength);
    // Such a name cannot be part of a path (the answer would quote input): its object is named.
    if (problem) report(path, `has a property name that ${problem}`);
    else if (isPrototypeKey(name, record[name]))
      report([...path, name], 'is a reserved name: it would change an object prototype');
    else children.push({ value: record[name], path: [...path, name], level: level + 1 });
  }
  return children.reverse();
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

function dotted(path: string[]): string {
  return path.length > 0 ? path.join('.') : '(root)';
}
