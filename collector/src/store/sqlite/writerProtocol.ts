import type { StoredAnnotation } from '../../analysis/faultAnnotations.js';

export interface WriterSetup {
  path: string;
  pendingEdgeMs?: number;
  synchronous?: 'normal' | 'full';
}

export type WriterRequest =
  /** `spans`: the batch as UTF-8 JSON in a transferred buffer (moved to the thread, not cloned). */
  | { id: number; op: 'insert'; spans: Uint8Array; nowMs?: number }
  | { id: number; op: 'resolve'; nowMs?: number }
  | { id: number; op: 'prune'; cutoffMs: number; maxTraces: number }
  | { id: number; op: 'check' }
  | { id: number; op: 'annotate'; annotations: readonly StoredAnnotation[] }
  | { id: number; op: 'close' };

export type WriterReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
