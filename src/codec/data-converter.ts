import type { DataConverter, PayloadCodec } from '@temporalio/common';

export const failureConverterPath = require.resolve('./failure-converter');

/**
 * What every worker and client of Cairn's runs converts payloads with, given the payload codec
 * (an EncryptionCodec): inputs, results, signals, queries, memos, user metadata and failure
 * details are encrypted before they reach Temporal. Search attributes are not (Temporal indexes
 * them): they hold ids and states only.
 */
export function cairnDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath };
}
