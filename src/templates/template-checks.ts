import { TemplateError, type TemplatePart } from './template-error';

/**
 * What a template may call and read, checked once when it is compiled. A template is the
 * journey author's text rendered with a customer's data in the worker, so it reads that data
 * and formats it, and nothing else:
 * - only Cairn's helpers and the built-in block helpers can be called; Handlebars' `log` (which
 *   printed whatever it was given, a whole profile, to the worker's log on every send) and its
 *   internal hooks (helperMissing, blockHelperMissing) cannot;
 * - a path cannot name a property every JavaScript object has (`constructor`, `toString`,
 *   `__proto__` ...): Handlebars renders those blank and logs a warning, where a template must
 *   render its data or fail.
 */
export const CALLABLE_HELPERS = [
  'money',
  'date',
  'default',
  'urlencode',
  'each',
  'with',
  'if',
  'unless',
  'lookup',
] as const;

const CALLABLE = new Set<string>(CALLABLE_HELPERS);
/** Handlebars' own names, refused even without parameters, where they would read as a variable. */
const HANDLEBARS_HOOKS = new Set(['log', 'helperMissing', 'blockHelperMissing']);
const OBJECT_BUILT_INS = new Set(Object.getOwnPropertyNames(Object.prototype));

type Node = { type?: unknown; loc?: hbs.AST.SourceLocation } & Record<string, unknown>;

/** Throws the TemplateError of the first thing in `ast` a template may not do. */
export function checkTemplate(part: TemplatePart, ast: hbs.AST.Program): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const candidate = node as Node;
    if (isCall(candidate)) checkCall(part, candidate);
    if (candidate.type === 'PathExpression')
      checkPath(part, candidate as unknown as hbs.AST.PathExpression);
    for (const [key, child] of Object.entries(candidate)) {
      if (key !== 'loc') visit(child);
    }
  };
  visit(ast);
}

/**
 * A helper call: a mustache, block or subexpression that passes parameters or a hash, or that
 * names one of Handlebars' hooks.
 */
function isCall(node: Node): node is Node & hbs.AST.MustacheStatement {
  if (!['MustacheStatement', 'BlockStatement', 'SubExpression'].includes(String(node.type))) {
    return false;
  }
  const call = node as unknown as hbs.AST.MustacheStatement;
  const head = call.path.type === 'PathExpression' ? (call.path as hbs.AST.PathExpression) : null;
  if (head && head.parts.length === 1 && HANDLEBARS_HOOKS.has(head.original)) return true;
  return call.params.length > 0 || (call.hash?.pairs.length ?? 0) > 0;
}

function checkCall(part: TemplatePart, call: hbs.AST.MustacheStatement): void {
  if (call.path.type !== 'PathExpression') return;
  const name = (call.path as hbs.AST.PathExpression).original;
  if (CALLABLE.has(name)) return;
  throw new TemplateError(
    part,
    'unknown_helper',
    name,
    `not a template helper; the helpers are ${CALLABLE_HELPERS.join(', ')}`,
    ...position(call.path.loc),
  );
}

function checkPath(part: TemplatePart, path: hbs.AST.PathExpression): void {
  if (!path.parts.some((segment) => OBJECT_BUILT_INS.has(segment))) return;
  throw new TemplateError(
    part,
    'missing_variable',
    path.original,
    'names a property of every JavaScript object, not a variable of the template',
    ...position(path.loc),
  );
}

function position(loc: hbs.AST.SourceLocation | undefined): [number | null, number | null] {
  return loc ? [loc.start.line, loc.start.column] : [null, null];
}
