import Handlebars from 'handlebars';
import type { EmailContent } from '../journeys/schema';
import { registerTemplateHelpers } from './helpers';
import { checkTemplate } from './template-checks';
import { htmlToText } from './html-to-text';
import { TemplateError, TemplateValueError, type TemplatePart } from './template-error';
import type { TemplateScope } from './template-scope';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

type CompileOptions = Parameters<typeof Handlebars.compile>[1];

// An environment of our own: helpers registered here are visible to our templates only.
const env = Handlebars.create();
registerTemplateHelpers(env);

/**
 * Prototype access stays off, said explicitly: Handlebars then neither resolves nor logs a
 * warning about a name only the prototype has (template-checks.ts refuses such paths anyway).
 */
const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
};

interface CompiledTemplate {
  render: Handlebars.TemplateDelegate;
  /** "line:column" of every variable path in the source → the path as written. */
  paths: Map<string, string>;
}

const CACHE_LIMIT = 500;
const cache = new Map<string, CompiledTemplate>();

/**
 * Renders an email template. Strict: a variable the template reads but the scope lacks is a
 * TemplateError naming the variable, never blank text. The html part is HTML-escaped; subject and
 * text are not (they are not HTML), and the subject is flattened to one line so a value cannot
 * inject mail headers. Without a text part, one is derived from the HTML.
 */
export function renderEmail(content: EmailContent, scope: TemplateScope): RenderedEmail {
  const subject = oneLine(renderPart('subject', content.subject, scope));
  if (subject === '') {
    throw new TemplateError('subject', 'invalid_value', null, 'the subject renders empty');
  }
  const html = renderPart('html', content.html, scope);
  const text =
    content.text === undefined ? htmlToText(html) : renderPart('text', content.text, scope);
  return { subject, html, text };
}

/** Renders one template source; exported for other channels' content (SMS bodies, push titles). */
export function renderPart(part: TemplatePart, source: string, scope: TemplateScope): string {
  const template = compile(part, source);
  try {
    return template.render(scope, RUNTIME_OPTIONS);
  } catch (error) {
    throw toTemplateError(part, error, template.paths);
  }
}

function compile(part: TemplatePart, source: string): CompiledTemplate {
  const escapes = part === 'html';
  const key = `${escapes ? 'html' : 'plain'}\u0000${source}`;
  const cached = cache.get(key);
  if (cached) {
    // Re-insert so the Map's insertion order doubles as least-recently-used order.
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  const compiled = compileUncached(part, source, escapes);
  cache.set(key, compiled);
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return compiled;
}

function compileUncached(part: TemplatePart, source: string, escapes: boolean): CompiledTemplate {
  let ast: hbs.AST.Program;
  try {
    ast = env.parse(source);
  } catch (error) {
    const firstLine = error instanceof Error ? (error.message.split('\n')[0] ?? '') : '';
    throw new TemplateError(part, 'syntax_error', null, firstLine || 'the template does not parse');
  }
  checkTemplate(part, ast);
  // trackIds gives helpers the variable path of each parameter, so their errors can name it.
  const compileOptions = { strict: true, trackIds: true, noEscape: !escapes } as CompileOptions;
  const render = env.compile(ast, compileOptions);
  return { render, paths: indexPaths(ast) };
}

function indexPaths(ast: hbs.AST.Program): Map<string, string> {
  const paths = new Map<string, string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const candidate = node as { type?: unknown; original?: unknown; loc?: hbs.AST.SourceLocation };
    if (
      candidate.type === 'PathExpression' &&
      typeof candidate.original === 'string' &&
      candidate.loc
    ) {
      paths.set(`${candidate.loc.start.line}:${candidate.loc.start.column}`, candidate.original);
    }
    for (const [key, child] of Object.entries(node)) {
      if (key !== 'loc') visit(child);
    }
  };
  visit(ast);
  return paths;
}

/**
 * Handlebars' own messages quote the object a lookup failed on, which may be personal data, so
 * they are never passed on: only the variable path (from the template source) and position are.
 */
function toTemplateError(
  part: TemplatePart,
  error: unknown,
  paths: Map<string, string>,
): TemplateError {
  if (error instanceof TemplateError) return error;
  if (error instanceof TemplateValueError) {
    return new TemplateError(part, error.reason, error.path, error.message);
  }
  if (error instanceof Handlebars.Exception || isHandlebarsException(error)) {
    const { lineNumber, column } = error as { lineNumber?: number; column?: number };
    const path =
      lineNumber === undefined ? null : (paths.get(`${lineNumber}:${column ?? 0}`) ?? null);
    return new TemplateError(
      part,
      'missing_variable',
      path,
      'not present in the template scope',
      lineNumber ?? null,
      column ?? null,
    );
  }
  if (error instanceof TypeError) {
    return new TemplateError(
      part,
      'missing_variable',
      guessPath(error, paths),
      'a parent of this path is missing or not an object',
    );
  }
  return new TemplateError(part, 'invalid_value', null, 'rendering failed');
}

function isHandlebarsException(error: unknown): boolean {
  return error instanceof Error && 'lineNumber' in error && 'column' in error;
}

/** A lookup below a missing or scalar value fails with a TypeError that names only the property. */
function guessPath(error: TypeError, paths: Map<string, string>): string | null {
  const property = /'([^']+)'/.exec(error.message)?.[1];
  if (property === undefined) return null;
  for (const path of paths.values()) {
    if (path.split(/[./]/).includes(property)) return path;
  }
  return null;
}

/** CR/LF (and other control characters) in a subject would let a value add mail headers. */
function oneLine(subject: string): string {
  return (
    subject
      .replace(/[\r\n\u2028\u2029]+/g, ' ')
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .replace(/ {2,}/g, ' ')
      .trim()
  );
}
