/**
 * Temporal refuses a payload larger than its blob size limit (`limit.blobSize.error` in its
 * dynamic config, 2 MiB by default); TEMPORAL_PAYLOAD_LIMIT_BYTES says what the cluster uses.
 */
export const DEFAULT_TEMPORAL_PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * The largest event Cairn stores. A triggering event rides in the start input of its run next to
 * the journey definition, and a listened-to event in a signal; a quarter of the payload limit
 * (512 KiB by default) leaves the definition and the encoding room.
 */
export function eventSizeLimit(payloadLimitBytes = DEFAULT_TEMPORAL_PAYLOAD_LIMIT_BYTES): number {
  return Math.floor(payloadLimitBytes / 4);
}
