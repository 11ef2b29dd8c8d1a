import { runService } from '../../lib/service.js';
import { history } from './history.js';

await runService(history);
