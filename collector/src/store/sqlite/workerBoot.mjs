// Worker bootstrap: the collector runs from TypeScript sources, so the worker registers
// tsx's loader before importing its TypeScript entry (workerData.entry).
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData.entry);
