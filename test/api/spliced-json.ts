/**
 * Request bodies with values JSON.stringify cannot write (1e400, 10,000 levels, a lone
 * surrogate in a property name): a valid template with one value replaced by a raw JSON text and
 * one raw member ("name": value) added to one of its objects.
 */

export type Json = null | boolean | number | string | Json[] | { [name: string]: Json };

/** A raw JSON text and whether the API must refuse it wherever it appears. */
export interface Splice {
  text: string;
  poison: boolean;
}

export interface Mutation {
  /** Replaces the value at `at` (a path into the template). */
  value?: { at: string[]; splice: Splice };
  /** A raw member added to the object at `in`. */
  member?: { in: string[]; splice: Splice };
}

const VALUE_MARK = '@@spliced-value@@';
const MEMBER_MARK = '@@spliced-member@@';

/** The template's JSON text with the mutation applied. */
export function splice(template: Json, mutation: Mutation): string {
  let doc = structuredClone(template);
  const { value, member } = mutation;
  if (member) {
    const target = at(doc, member.in);
    if (isObject(target)) target[MEMBER_MARK] = 0;
  }
  if (value) doc = replaced(doc, value.at, VALUE_MARK);
  let text = JSON.stringify(doc);
  if (value) text = text.replace(JSON.stringify(VALUE_MARK), () => value.splice.text);
  if (member) text = text.replace(`${JSON.stringify(MEMBER_MARK)}:0`, () => member.splice.text);
  return text;
}

/** Every path into the template (values) and the paths of its objects (where members go). */
export function pathsOf(template: Json): { values: string[][]; objects: string[][] } {
  const values: string[][] = [];
  const objects: string[][] = [];
  const walk = (node: Json, path: string[]) => {
    values.push(path);
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, String(i)]));
    else if (isObject(node)) {
      objects.push(path);
      for (const [name, item] of Object.entries(node)) walk(item, [...path, name]);
    }
  };
  walk(template, []);
  return { values, objects };
}

/** Whether a member added in `objectPath` survives a value replaced at `valuePath`. */
export function compatible(mutation: Mutation): boolean {
  if (!mutation.value || !mutation.member) return true;
  const inside = mutation.value.at.every((part, i) => mutation.member?.in[i] === part);
  return !inside;
}

function at(doc: Json, path: string[]): Json | undefined {
  let node: Json | undefined = doc;
  for (const part of path) {
    if (Array.isArray(node)) node = node[Number(part)];
    else if (isObject(node)) node = node[part];
    else return undefined;
  }
  return node;
}

function replaced(doc: Json, path: string[], value: Json): Json {
  if (path.length === 0) return value;
  const parent = at(doc, path.slice(0, -1));
  const last = path[path.length - 1] as string;
  if (Array.isArray(parent)) parent[Number(last)] = value;
  else if (isObject(parent)) parent[last] = value;
  return doc;
}

function isObject(node: Json | undefined): node is { [name: string]: Json } {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}
