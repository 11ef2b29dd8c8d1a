// Runs one collector as its own process for the benchmark, with options as JSON in argv[2],
// so that load generation and collection do not share an event loop.
import { startCollector } from '../src/index.js';

const options = JSON.parse(process.argv[2] ?? '{}');
const c = await startCollector({ ...options, log: (l: string) => console.error(l) });
console.log(`listening on ${c.url}`);
const stop = async () => {
  await c.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
