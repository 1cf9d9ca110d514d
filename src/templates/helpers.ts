import type Handlebars from 'handlebars';
import { TemplateValueError } from './template-error';

type HandlebarsEnv = typeof Handlebars;

/** The parts of Handlebars' helper options we rely on (`ids` exists because we compile with trackIds). */
interface HelperOptions {
  hash: Record<string, unknown>;
  ids?: unknown[];
  data?: { root?: { profile?: { locale?: unknown; timeZone?: unknown } } };
  fn?: unknown;
}

/**
 * Registers Cairn's template helpers on an isolated Handlebars environment:
 * - {{money value currency="USD"}} formats an amount in the customer's locale;
 * - {{date value style="medium"}} formats a timestamp in the customer's time zone;
 * - {{default value "fallback"}} is the one place a missing value is allowed;
 * - {{urlencode value}} for values placed into links;
 * - #each / #with refuse a missing collection instead of rendering nothing;
 * - lookup finds what the data holds, or fails like a missing variable.
 * Handlebars' `log` goes: it wrote whatever it was given, a whole profile, to the worker's log.
 */
export function registerTemplateHelpers(env: HandlebarsEnv): void {
  env.unregisterHelper('log');
  env.registerHelper('money', money);
  env.registerHelper('date', date);
  env.registerHelper('default', fallback);
  env.registerHelper('urlencode', urlencode);
  requirePresentContext(env, 'each');
  requirePresentContext(env, 'with');
  env.registerHelper('lookup', strictLookup);
}

function money(value: unknown, options: HelperOptions): string {
  const path = paramPath(options, 0);
  const amount = requireNumber(value, path, 'money');
  const currency = typeof options.hash.currency === 'string' ? options.hash.currency : 'USD';
  try {
    return new Intl.NumberFormat(localeOf(options), { style: 'currency', currency }).format(amount);
  } catch {
    throw new TemplateValueError('invalid_value', path, `money: unknown currency "${currency}"`);
  }
}

const DATE_STYLES = ['full', 'long', 'medium', 'short'] as const;
type DateStyle = (typeof DATE_STYLES)[number];

function date(value: unknown, options: HelperOptions): string {
  const path = paramPath(options, 0);
  const when = requireDate(value, path);
  const style = (options.hash.style ?? 'medium') as DateStyle;
  if (!DATE_STYLES.includes(style)) {
    throw new TemplateValueError(
      'invalid_value',
      path,
      `date: style must be one of ${DATE_STYLES.join(', ')}`,
    );
  }
  const timeZone = options.data?.root?.profile?.timeZone;
  try {
    return new Intl.DateTimeFormat(localeOf(options), {
      dateStyle: style,
      timeZone: typeof timeZone === 'string' ? timeZone : 'UTC',
    }).format(when);
  } catch {
    throw new TemplateValueError(
      'invalid_value',
      path,
      'date: the profile time zone is not a valid IANA zone',
    );
  }
}

function fallback(value: unknown, defaultValue: unknown, options?: HelperOptions): unknown {
  if (options === undefined) {
    throw new TemplateValueError('invalid_value', null, 'default: needs a value and a fallback');
  }
  return value === undefined || value === null || value === '' ? defaultValue : value;
}

function urlencode(value: unknown, options: HelperOptions): string {
  const path = paramPath(options, 0);
  if (value === undefined)
    throw new TemplateValueError('missing_variable', path, 'urlencode needs a value');
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new TemplateValueError(
      'invalid_value',
      path,
      'urlencode needs a string, number or boolean',
    );
  }
  return encodeURIComponent(String(value));
}

/**
 * {{lookup object key}}: the object's own property (an array's item) or a missing_variable
 * error, never blank text or a property every object inherits. The path names the key as the
 * template wrote it: a literal as such, a variable by its path (its value may be personal).
 */
function strictLookup(object: unknown, key: unknown, options?: HelperOptions): unknown {
  if (options === undefined) {
    throw new TemplateValueError('invalid_value', null, 'lookup needs an object and a key');
  }
  const objectPath = paramPath(options, 0) ?? 'lookup';
  const keyPath = paramPath(options, 1);
  const path = keyPath === null ? `${objectPath}.${String(key)}` : `${objectPath}[${keyPath}]`;
  const found =
    typeof object === 'object' &&
    object !== null &&
    (typeof key === 'string' || typeof key === 'number') &&
    Object.prototype.hasOwnProperty.call(object, key);
  if (!found) throw new TemplateValueError('missing_variable', path, 'lookup found nothing there');
  return (object as Record<string | number, unknown>)[key];
}

function requirePresentContext(env: HandlebarsEnv, name: 'each' | 'with'): void {
  const builtin = env.helpers[name];
  if (!builtin) throw new Error(`Handlebars has no built-in "${name}" helper`);
  env.registerHelper(name, function (this: unknown, context: unknown, options: HelperOptions) {
    // Helper parameters escape Handlebars' strict mode; a misspelt collection would render nothing.
    if (context === undefined) {
      throw new TemplateValueError(
        'missing_variable',
        paramPath(options, 0),
        `#${name} needs a value`,
      );
    }
    return builtin.call(this, context, options) as unknown;
  });
}

function requireNumber(value: unknown, path: string | null, helper: string): number {
  if (value === undefined)
    throw new TemplateValueError('missing_variable', path, `${helper} needs a value`);
  const amount = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof amount !== 'number' || !Number.isFinite(amount)) {
    throw new TemplateValueError('invalid_value', path, `${helper} needs a number`);
  }
  return amount;
}

function requireDate(value: unknown, path: string | null): Date {
  if (value === undefined)
    throw new TemplateValueError('missing_variable', path, 'date needs a value');
  const when =
    typeof value === 'string' || typeof value === 'number'
      ? new Date(value)
      : value instanceof Date
        ? value
        : null;
  if (!when || Number.isNaN(when.getTime())) {
    throw new TemplateValueError(
      'invalid_value',
      path,
      'date needs an ISO-8601 timestamp or epoch milliseconds',
    );
  }
  return when;
}

function localeOf(options: HelperOptions): string {
  const requested = options.hash.locale ?? options.data?.root?.profile?.locale;
  if (typeof requested === 'string') {
    try {
      return Intl.getCanonicalLocales(requested)[0] ?? 'en-US';
    } catch {
      return 'en-US';
    }
  }
  return 'en-US';
}

function paramPath(options: HelperOptions | undefined, index: number): string | null {
  const id = options?.ids?.[index];
  return typeof id === 'string' ? id : null;
}
