// Public API of @faultline/demo-services: run the shop and its scenarios from code.
export { SCENARIOS, findScenario, type ScenarioDefinition, type TimelineEntry } from './scenarios/catalog.js';
export { runScenario, UnknownScenarioError, type RunOptions } from './scenarios/runner.js';
export { brokeInvariants, formatReport, type ScenarioReport, type WindowStats } from './scenarios/report.js';
export { checkInvariants, readSnapshot, unsettled, type Invariants, type ShopSnapshot } from './scenarios/invariants.js';
export { runLoad, percentileMs, type LoadOptions, type RequestResult } from './scenarios/load.js';
export { FaultInjector, type FaultRecord, type FaultKind } from './scenarios/faults.js';
export { startShop, type Shop, type ShopOptions } from './lib/shop.js';
export { startCollectorProcess, type CollectorProcess } from './lib/collector.js';
export { SERVICE_NAMES, type ServiceName, type Mode } from './lib/config.js';
export { startControlServer, type ControlTarget, type ControlServerOptions } from './control/server.js';
export { MigrationController, resolveMigrationOptions, type MigrationOptions, type MigrationStep, type ControllerDeps } from './migration/controller.js';
export { judgeCanary, stageFigures, resolveThresholds, DEFAULT_THRESHOLDS, type CanaryThresholds, type CanaryVerdict, type SeriesPoint, type StageFigures } from './migration/canary.js';
export { ROUTE_SPECS, bucketOf, chooseSide, type RouteSpec, type Side } from './services/gateway/routing.js';
export type { MigrationReport, MigrationDetails } from './scenarios/report.js';
export type { ReadModelReport } from './migration/sides.js';
