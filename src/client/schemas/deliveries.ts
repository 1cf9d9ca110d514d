// Kept so modules not yet moved to src/contract compile; new code imports src/contract.
export * from '../../contract/deliveries';
