// A tiny HTTP server in a worker thread, so the client under test and the
// server do not share one event loop.
import { Worker } from 'node:worker_threads';

export interface Loopback {
  url: string;
  stop(): Promise<void>;
}

export async function startLoopback(): Promise<Loopback> {
  const worker = new Worker(new URL('./loopbackWorker.mjs', import.meta.url));
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      worker.postMessage('stop');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}
