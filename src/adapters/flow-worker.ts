/* The script of `flow run --workers N`'s threads (see flow-workers.ts). */
import { isFlowWorker, serveFlowWorker } from './flow-workers.js';
import { quietGcsClientWarnings } from './lake/gcs-warnings.js';

// A thread has a process object of its own: the main thread's filter does not reach its warnings.
quietGcsClientWarnings(process.env);

if (isFlowWorker()) await serveFlowWorker();
