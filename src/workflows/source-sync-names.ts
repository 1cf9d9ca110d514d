/**
 * The source sync workflow as its starters (a source's Temporal Schedule) name it: its type and
 * its input. Ids only: the rows are read and written inside the activity.
 */
export const SOURCE_SYNC_WORKFLOW_TYPE = 'sourceSyncWorkflow';

export interface SourceSyncInput {
  sourceId: string;
}
