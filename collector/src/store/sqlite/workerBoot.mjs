// Worker bootstrap: from the TypeScript sources (the repository) the worker registers tsx's
// loader before importing its entry (workerData.entry); the built package imports its .js as is.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
