export {
  activeSegmentIds,
  findSegment,
  findSegmentVersion,
  listSegments,
  publishSegment,
  SegmentDefinitionError,
  type PublishedSegment,
  type SegmentRow,
} from './segment-catalogue';
export {
  changeManualMembers,
  NotManualSegmentError,
  type ManualChange,
  type ManualOutcome,
} from './manual-members';
export { listMembers, memberCounts, segmentsOfCustomer, type Member } from './segment-members';
export { SEGMENT_ENTERED, SEGMENT_EXITED, segmentDependencies } from './dependencies';
export { liveMembership, requestProfileChecks, type LiveMembership } from './live-membership';
export { audienceUpkeep } from './audience-upkeep';
export { previewSegment, type SegmentPreview } from './segment-preview';
export { installBuiltInScores, installBuiltInSegments } from './install-built-ins';
export {
  findStoredScore,
  listScores,
  loadScoreCatalogue,
  scoreVersionsOf,
  type ScoreRow,
  type ScoreVersionRow,
} from './score-catalogue';
export { publishScore, ScoreDefinitionError, type PublishedScore } from './publish-score';
export {
  importManualMembers,
  ImportRefusedError,
  MAX_IMPORT_LINES,
  type ImportMode,
  type ImportOutcome,
} from './manual-import';
export { customerStage } from './customer-stage';
export { evaluateStages } from './lifecycle-stages';
