export { ChaosController } from './ChaosController.js';
export type { ChaosControllerOptions } from './ChaosController.js';
export { chaosMiddleware } from './chaosMiddleware.js';
export type { ChaosMiddleware, ChaosMiddlewareOptions } from './chaosMiddleware.js';
export { chaosRouter } from './chaosRouter.js';
export { validateFault } from './faults.js';
export type { Fault, ErrorFault, LatencyFault, AbortFault } from './faults.js';
