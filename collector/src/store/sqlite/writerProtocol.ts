import type { StoredAnnotation } from '../../analysis/faultAnnotations.js';
import type { SpanRecord } from '../../model.js';

export interface WriterSetup {
  path: string;
  pendingEdgeMs?: number;
  synchronous?: 'normal' | 'full';
}

export type WriterRequest =
  | { id: number; op: 'insert'; spans: readonly SpanRecord[]; nowMs?: number }
  | { id: number; op: 'resolve'; nowMs?: number }
  | { id: number; op: 'prune'; cutoffMs: number; maxTraces: number }
  | { id: number; op: 'check' }
  | { id: number; op: 'annotate'; annotations: readonly StoredAnnotation[] }
  | { id: number; op: 'close' };

export type WriterReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
