import { journeyDefinitionSchema, type JourneyDefinition } from './schema';

export interface DefinitionIssue {
  /** Dotted path into the definition, e.g. "steps.2.next". */
  path: string;
  message: string;
}

/** A journey definition that does not pass the schema; `issues` names every field and reason. */
export class JourneyValidationError extends Error {
  constructor(readonly issues: DefinitionIssue[]) {
    super(
      `invalid journey definition: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    );
    this.name = 'JourneyValidationError';
  }
}

export type ValidationResult =
  { ok: true; definition: JourneyDefinition } | { ok: false; issues: DefinitionIssue[] };

export function validateJourneyDefinition(input: unknown): ValidationResult {
  const result = journeyDefinitionSchema.safeParse(input);
  if (result.success) return { ok: true, definition: result.data };
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  return { ok: false, issues };
}

/** The parsed definition (defaults applied), or JourneyValidationError. */
export function parseJourneyDefinition(input: unknown): JourneyDefinition {
  const result = validateJourneyDefinition(input);
  if (!result.ok) throw new JourneyValidationError(result.issues);
  return result.definition;
}
