import { errorResponseSchema } from '../contract/common';

/** Error responses every authenticated route can give, for the OpenAPI document. */
export const authErrors = { 400: errorResponseSchema, 401: errorResponseSchema } as const;

export const bearerSecurity = [{ bearerAuth: [] }];

export function iso(date: Date): string {
  return date.toISOString();
}

export function isoOrNull(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
