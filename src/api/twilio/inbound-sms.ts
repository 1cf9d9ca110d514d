/**
 * Inbound texts change SMS consent, so their logic lives in src/guardrails; this re-export keeps
 * the route's import stable until the routes are repointed.
 */
export {
  applyInboundSms,
  keywordOf,
  type InboundKeyword,
  type InboundMessage,
  type InboundOutcome,
} from '../../guardrails/inbound-sms';
