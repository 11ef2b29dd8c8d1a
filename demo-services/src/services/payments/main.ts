import { runService } from '../../lib/service.js';
import { payments } from './payments.js';

await runService(payments);
