/* The script of `flow run --workers N`'s threads (see flow-workers.ts). */
import { isFlowWorker, serveFlowWorker } from './flow-workers.js';

if (isFlowWorker()) await serveFlowWorker();
