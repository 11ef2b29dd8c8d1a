// Answers of the demo control server (demo-services), reached cross-origin.
import { z } from 'zod';

export const scenarioSchema = z.object({ name: z.string(), description: z.string().catch(''), lookAt: z.string().min(1).optional().catch(undefined) });
export const scenariosSchema = z.array(scenarioSchema);
export const activeScenarioSchema = z.object({ name: z.string(), startMs: z.number().catch(0), durationMs: z.number().catch(0) }).nullable();
export const activeFaultSchema = z.object({ service: z.string(), kind: z.string().catch('fault'), startMs: z.number().catch(0), endMs: z.number().optional().catch(undefined) });
// A bare array or `{ faults: [...] }`.
export const faultsSchema = z.union([z.array(activeFaultSchema), z.object({ faults: z.array(activeFaultSchema) }).transform((o) => o.faults)]);

export type Scenario = z.infer<typeof scenarioSchema>;
export type ActiveScenario = NonNullable<z.infer<typeof activeScenarioSchema>>;
export type ActiveFault = z.infer<typeof activeFaultSchema>;
