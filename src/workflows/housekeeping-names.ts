/**
 * The housekeeping workflow as its starter (the housekeeping Temporal Schedule) names it: its
 * type and its input. Settings only, never customer data.
 */
export const HOUSEKEEPING_WORKFLOW_TYPE = 'housekeepingWorkflow';

export interface HousekeepingInput {
  /** Segment-spec messageIds older than this are forgotten (CAIRN_SPEC_MESSAGE_RETENTION). */
  specMessageRetentionMs: number;
}

export interface HousekeepingResult {
  specMessagesDeleted: number;
}
