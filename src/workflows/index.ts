// The workflow bundle's entry: every workflow type the worker registers.
export { journeyWorkflow } from './journey';
export { scoreRecomputeWorkflow } from './score-recompute';
export { customerErasureWorkflow } from './erasure';
export { sourceSyncWorkflow } from './source-sync';
export { housekeepingWorkflow } from './housekeeping';
