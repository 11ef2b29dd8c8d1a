import { runService } from '../../lib/service.js';
import { shipping } from './shipping.js';

await runService(shipping);
