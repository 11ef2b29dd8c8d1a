import { runService } from '../../lib/service.js';
import { notifications } from './notifications.js';

await runService(notifications);
