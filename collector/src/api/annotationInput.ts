// POST /api/annotations body: validated with a clear message for each field.
import { z } from 'zod';
import type { StoredAnnotation } from '../analysis/index.js';
import { ParamError } from './params.js';

export const ANNOTATION_BODY_BYTES_MAX = 16 * 1024;
const ATTRIBUTES_MAX = 32;

const Scalar = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);

export const AnnotationInput = z.strictObject({
  timeMs: z.number().int().min(0).max(8.64e15).optional(),
  endMs: z.number().int().min(0).max(8.64e15).optional(),
  kind: z.string().regex(/^[a-z0-9._-]{1,64}$/, 'kind must be 1–64 characters of a-z, 0-9, ".", "_" and "-"'),
  service: z.string().min(1).max(256).optional(),
  text: z.string().min(1, 'text must not be empty').max(1000, 'text must be at most 1000 characters'),
  attributes: z.record(z.string().min(1).max(128), Scalar).refine((a) => Object.keys(a).length <= ATTRIBUTES_MAX, `attributes may hold at most ${ATTRIBUTES_MAX} keys`).optional(),
  namespace: z.string().max(256).optional(),
});

export function parseAnnotationInput(body: unknown, nowMs: number): Omit<StoredAnnotation, 'id' | 'origin'> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ParamError('body must be a JSON object');
  const parsed = AnnotationInput.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new ParamError(field ? `${field}: ${issue.message}` : issue.message);
  }
  const v = parsed.data;
  const timeMs = v.timeMs ?? nowMs;
  if (v.endMs !== undefined && v.endMs < timeMs) throw new ParamError('endMs must not be before timeMs');
  const out: Omit<StoredAnnotation, 'id' | 'origin'> = { timeMs, kind: v.kind, text: v.text, attributes: v.attributes ?? {}, namespace: v.namespace ?? '' };
  if (v.endMs !== undefined) out.endMs = v.endMs;
  if (v.service !== undefined) out.service = v.service;
  return out;
}
