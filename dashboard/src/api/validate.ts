// Runs an answer through its schema: the UI renders only data that has the contract's shape,
// and a malformed answer becomes one clear error instead of a crash mid-render.
import type { z } from 'zod';

export class ValidationError extends Error {
  constructor(public readonly path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'ValidationError';
  }
}

/** A parser for requestJson: the schema's output, or a ValidationError naming the first bad field. */
export function parserFor<S extends z.ZodType>(schema: S, what: string): (v: unknown) => z.output<S> {
  return (v) => {
    const r = schema.safeParse(v);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    const path = [what, ...(issue?.path ?? [])].map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
    throw new ValidationError(path, issue?.message ?? 'unexpected shape');
  };
}
