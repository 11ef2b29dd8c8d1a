import { runService } from '../../lib/service.js';
import { gateway } from './gateway.js';

await runService(gateway);
