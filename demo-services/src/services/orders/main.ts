import { runService } from '../../lib/service.js';
import { orders } from './orders.js';

await runService(orders);
