import { runService } from '../../lib/service.js';
import { monolith } from './monolith.js';

await runService(monolith);
