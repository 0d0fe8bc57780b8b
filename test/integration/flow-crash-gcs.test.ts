import { defineCrashMatrix } from './support/crash-matrix.js';

defineCrashMatrix('gcs');
