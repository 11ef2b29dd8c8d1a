// OTLP/gRPC TraceService/Export with @grpc/grpc-js. The request is deserialized by the same
// pure decoder as OTLP/HTTP protobuf (grpc-js handles framing and grpc-encoding gzip).
import * as grpc from '@grpc/grpc-js';
import { decodeProtobufRequest, encodeExportResponse, type IngestLimits, isDecodeError, TRACE_SERVICE_EXPORT_PATH } from '../ingest/index.js';
import type { WriteQueue } from '../queue/WriteQueue.js';
import type { IngestCounters } from '../metrics/IngestCounters.js';
import { bearerFrom, tokenMatches } from './auth.js';

export interface GrpcDeps {
  queue: WriteQueue;
  limits: IngestLimits;
  token: string | null;
  log: (line: string) => void;
  /** Self-health counters for /metrics (rejected spans, throttled requests). */
  counters?: IngestCounters;
}

const identity = (b: Buffer) => b;

const definition: grpc.ServiceDefinition = {
  Export: {
    path: TRACE_SERVICE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

function fail(cb: grpc.sendUnaryData<Buffer>, code: grpc.status, details: string): void {
  cb({ code, details, metadata: new grpc.Metadata() } as grpc.ServiceError, null);
}

export async function startGrpcServer(host: string, port: number, deps: GrpcDeps): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': deps.limits.bodyBytesMax,
    'grpc.max_send_message_length': 4 * 1024 * 1024,
  });
  server.addService(definition, {
    Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      if (deps.token) {
        const given = call.metadata.get('authorization')[0];
        if (!tokenMatches(deps.token, bearerFrom(typeof given === 'string' ? given : undefined))) {
          return fail(callback, grpc.status.UNAUTHENTICATED, 'missing or invalid bearer token');
        }
      }
      let decoded;
      try {
        decoded = decodeProtobufRequest(call.request, deps.limits);
      } catch (e) {
        if (isDecodeError(e)) return fail(callback, grpc.status.INVALID_ARGUMENT, (e as Error).message);
        return fail(callback, grpc.status.INTERNAL, 'decode failed');
      }
      if (deps.counters) deps.counters.spansRejected += decoded.partial?.rejectedSpans ?? 0;
      const queued = deps.queue.enqueue(decoded.spans);
      if (!queued.accepted && deps.counters) deps.counters.throttled++;
      if (!queued.accepted) return fail(callback, grpc.status.UNAVAILABLE, `write queue full, retry in ${queued.retryAfterS} s`);
      queued.committed.then(
        () => callback(null, Buffer.from(encodeExportResponse(decoded.partial))),
        () => fail(callback, grpc.status.UNAVAILABLE, 'storage unavailable, retry later'),
      );
    },
  });
  const bound = await new Promise<number>((resolve, reject) => {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
