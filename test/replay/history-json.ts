import { createRequire } from 'node:module';
import { temporal } from '@temporalio/proto';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type History = temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History | null;
}

/*
 * The SDK's historyToJSON/historyFromJSON (@temporalio/common/lib/proto-utils) throw "type must
 * be a Type" in this install: @temporalio/common and @temporalio/proto each carry their own copy
 * of protobufjs 8, and protojson's instanceof check fails across copies. So the JSON conversion
 * uses the protojson of the copy @temporalio/proto's reflected types were built with; the format
 * is the same proto3 JSON that Temporal's CLI and Web UI download.
 */
const fromProto = createRequire(require.resolve('@temporalio/proto'));
const protojson = fromProto('protobufjs/ext/protojson') as ProtoJson;
const historyType = (
  patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }
).lookupType('temporal.api.history.v1.History');

/** A history as Temporal's proto3 JSON text (event types as EVENT_TYPE_… names). */
export function historyToJson(history: History): string {
  const message = temporal.api.history.v1.History.fromObject(history);
  return JSON.stringify(protojson.toJson(historyType, message));
}

/** Parses what historyToJson wrote (or a history downloaded with `temporal workflow show`). */
export function historyFromJson(json: unknown): History {
  const loaded = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!loaded) throw new TypeError('not a workflow history');
  return loaded;
}
