// The workflow bundle's entry: every workflow type the worker registers.
export { journeyWorkflow } from './journey';
export { customerErasureWorkflow } from './erasure';
