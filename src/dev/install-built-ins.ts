import type { FastifyInstance } from 'fastify';
import { builtInJourneys } from '../journeys/library';

/**
 * Installs the built-in seed journeys through the API itself (same validation and versioning as
 * any user's journey), once: a journey that already exists is left as the user has it.
 */
export async function installBuiltInJourneys(
  api: FastifyInstance,
  apiKey: string,
): Promise<string[]> {
  const headers = { authorization: `Bearer ${apiKey}` };
  const installed: string[] = [];
  for (const definition of builtInJourneys) {
    const existing = await api.inject({
      method: 'GET',
      url: `/v1/journeys/${definition.id}`,
      headers,
    });
    if (existing.statusCode === 200) continue;
    const created = await api.inject({
      method: 'POST',
      url: '/v1/journeys',
      headers,
      payload: definition,
    });
    if (created.statusCode >= 300) {
      throw new Error(`built-in journey ${definition.id} was refused: ${created.body}`);
    }
    installed.push(definition.id);
  }
  return installed;
}
