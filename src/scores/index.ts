/** Scores: definitions and their pure arithmetic. Imports only src/journeys. */
export * from './schema';
export {
  DAY_MS,
  addContributions,
  decayed,
  fallsBelowAt,
  pointsOf,
  scoreAt,
  type Contribution,
  type ScoredEvent,
  type StoredScore,
} from './decay';
export { qualityLevel, qualityScore, type QualityFacts, type QualityLevel } from './quality';
export {
  RFM_QUANTILES,
  SCORE_CHANGED,
  SCORE_EVENT_SOURCE,
  quintileOf,
  rankRfm,
  recencyDays,
  type RfmCell,
  type RfmMeasure,
} from './rfm';
export { builtInScores, dataQualityScore, engagementScore, rfmScore } from './library';
export { builtInCatalogue, ScoreCatalogue } from './catalogue';
