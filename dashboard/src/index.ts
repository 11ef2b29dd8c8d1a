// Public entry: where the built dashboard lives, for the collector to serve.
import { fileURLToPath } from 'node:url';

export const dashboardDistDir: string = fileURLToPath(new URL('../dist', import.meta.url));
