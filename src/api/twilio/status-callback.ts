/**
 * Twilio status callbacks change the delivery ledger, so their logic lives in src/deliveries;
 * this re-export keeps the route's import stable until the routes are repointed.
 */
export {
  applyStatusReport,
  type StatusOutcome,
  type StatusReport,
} from '../../deliveries/status-report';
