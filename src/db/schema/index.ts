/**
 * The Postgres schema, one file per domain; drizzle-kit reads this folder (drizzle.config.ts) and
 * the rest of Cairn imports it through this index.
 */
export * from './customers';
export * from './journeys';
export * from './deliveries';
export * from './guardrails';
export * from './audience';
export * from './scores';
export * from './rfm-scores';
export * from './score-definitions';
export * from './privacy';
export * from './identity';
export * from './ingestion';
export * from './sync';
