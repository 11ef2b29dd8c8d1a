import { runService } from '../../lib/service.js';
import { inventory } from './inventory.js';

await runService(inventory);
