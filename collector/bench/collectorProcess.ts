// Runs one collector as its own process for the benchmark, with options as JSON in argv[2],
// so that load generation and collection do not share an event loop. With `{ "sink": true }`
// it is instead an HTTP server that only reads each body and answers 200: the ceiling that
// HTTP and the senders alone allow on this machine.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCollector } from '../src/index.js';

const options = JSON.parse(process.argv[2] ?? '{}');
let close: () => Promise<void>;
if (options.sink) {
  const server = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  close = () => new Promise((ok) => server.close(() => ok()));
} else {
  const c = await startCollector({ ...options, log: (l: string) => console.error(l) });
  console.log(`listening on ${c.url}`);
  close = () => c.close();
}
const stop = async () => {
  await close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
