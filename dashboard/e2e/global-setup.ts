// One real collector for the suite, loaded with the cascading-failure fixture.
// Its URL and the fixture's facts reach the tests through environment variables.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCascade } from './fixtures/cascade.js';
import { startCollector } from './fixtures/collector.js';

const DASHBOARD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(join(DASHBOARD_DIR, 'dist', 'index.html'))) {
    throw new Error('dashboard/dist is missing: run `pnpm --filter @faultline/dashboard build` (vite build) before the browser tests');
  }
  mkdirSync(join(DASHBOARD_DIR, 'artifacts', 'screenshots'), { recursive: true });
  const collector = await startCollector();
  try {
    const fixture = await loadCascade(collector.url);
    process.env.FAULTLINE_E2E_URL = collector.url;
    process.env.FAULTLINE_E2E_FIXTURE = JSON.stringify({ ...fixture, correlationIds: Object.fromEntries(fixture.correlationIds) });
  } catch (e) {
    await collector.stop();
    throw e;
  }
  return () => collector.stop();
}
