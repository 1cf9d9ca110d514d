import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Moves failure messages and stack traces into a payload, so the payload codec encrypts them
 * too (an activity's error may quote a profile value). Loaded by path: the worker bundles it
 * into the workflow sandbox, and workers and clients load it in Node (data-converter.ts).
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
