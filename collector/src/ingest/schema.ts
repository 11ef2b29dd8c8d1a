// The official OTLP schema (collector/proto, copied from open-telemetry/opentelemetry-proto)
// loaded once with protobufjs. Every protobuf byte the collector reads or writes goes
// through these types: nothing is decoded by hand.
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { PACKAGE_ROOT } from '../packagePaths.js';

export const PROTO_DIR = join(PACKAGE_ROOT, 'proto');

const FILES = ['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'google/rpc/status.proto'];

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // Imports are written relative to the proto root, as in the official repository.
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(PROTO_DIR, target));
  root.loadSync(FILES.map((f) => join(PROTO_DIR, f)));
  root.resolveAll();
  return root;
}

const root = loadRoot();

export const ExportTraceServiceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
export const ExportTraceServiceResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
export const RpcStatus = root.lookupType('google.rpc.Status');
export const TRACE_SERVICE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** Encodes the OTLP response; an empty message when nothing was dropped, as the spec asks. */
export function encodeExportResponse(partial: PartialSuccess | null): Uint8Array {
  const message = partial ? { partialSuccess: { rejectedSpans: partial.rejectedSpans, errorMessage: partial.errorMessage } } : {};
  return ExportTraceServiceResponse.encode(ExportTraceServiceResponse.fromObject(message)).finish();
}

export function exportResponseJson(partial: PartialSuccess | null): object {
  // int64 maps to a JSON string in the protobuf JSON mapping; exporters accept both.
  return partial ? { partialSuccess: { rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage } } : {};
}

/** google.rpc.Status, the body OTLP/HTTP uses for every error answer. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RpcStatus.encode(RpcStatus.fromObject({ code, message, details: [] })).finish();
}
