// The demo control server (demo-services), reached cross-origin at the URL the
// collector reports in GET /api/config. Everything that assumes its API is here:
//   GET  {controlUrl}/scenarios              → [{ name, description }]
//   POST {controlUrl}/scenarios/:name/start  → anything (2xx)
//   POST {controlUrl}/scenarios/stop         → anything (2xx)
//   GET  {controlUrl}/faults                 → [{ service, kind, startMs, endMs? }] (or { faults: [...] })
//   GET  {controlUrl}/scenarios/active       → { name, startMs, durationMs } | null (optional: 404 = unknown)
import { requestJson } from './http.js';
import { isApiError } from './errors.js';
import { activeScenarioSchema, faultsSchema, scenariosSchema, type ActiveFault, type ActiveScenario, type Scenario } from './controlSchemas.js';
import { parserFor } from './validate.js';

const parseScenarios = parserFor(scenariosSchema, 'scenarios');
const parseFaults = parserFor(faultsSchema, 'faults');
const parseActiveScenario = parserFor(activeScenarioSchema.catch(null), 'active');

function join(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

const ignoreBody = (): null => null;

export function controlApi(controlUrl: string) {
  return {
    scenarios: (signal?: AbortSignal): Promise<Scenario[]> =>
      requestJson(join(controlUrl, '/scenarios'), parseScenarios, { signal, withToken: false }),
    start: (name: string): Promise<null> =>
      requestJson(join(controlUrl, `/scenarios/${encodeURIComponent(name)}/start`), ignoreBody, { method: 'POST', withToken: false }),
    stop: (): Promise<null> => requestJson(join(controlUrl, '/scenarios/stop'), ignoreBody, { method: 'POST', withToken: false }),
    faults: (signal?: AbortSignal): Promise<ActiveFault[]> =>
      requestJson(join(controlUrl, '/faults'), parseFaults, { signal, withToken: false }),
    active: (signal?: AbortSignal): Promise<ActiveScenario | null> =>
      requestJson(join(controlUrl, '/scenarios/active'), parseActiveScenario, { signal, withToken: false }).catch((e: unknown) => {
        if (isApiError(e) && e.kind === 'not-found') return null;
        throw e;
      }),
  };
}

export type ControlApi = ReturnType<typeof controlApi>;
