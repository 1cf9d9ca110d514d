import type { JsonValue } from '../../journeys/run-types';
import { renderPart } from '../../templates/render';
import type { TemplatePart } from '../../templates/template-error';
import type { TemplateScope } from '../../templates/template-scope';

/** Renders every string inside a JSON value as a template; numbers, booleans and null stay. */
export function renderJson(part: TemplatePart, value: unknown, scope: TemplateScope): JsonValue {
  if (typeof value === 'string') return renderPart(part, value, scope);
  if (Array.isArray(value)) return value.map((item) => renderJson(part, item, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, renderJson(part, item, scope)]),
    );
  }
  return value as JsonValue;
}
