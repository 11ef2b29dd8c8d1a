// GET /api/namespaces: the runs that hold data in a window, for a run selector.
import { z } from 'zod';

export const NamespaceEntry = z.object({
  /** The run: a `service.namespace` resource value, never ''. */
  namespace: z.string().min(1),
  /** Start of the first minute of the window in which the run reported. */
  firstMs: z.number().int(),
  /** Start of the last minute of the window in which the run reported. */
  lastMs: z.number().int(),
  /** The run's requests (server-side spans) in the window. */
  requests: z.number().int().nonnegative(),
});
/** Newest first (by `lastMs`). */
export const NamespacesAnswer = z.array(NamespaceEntry);
