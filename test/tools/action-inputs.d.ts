import type { ActionInputs } from '../../src/config/resolve.js';

export function readActionInputs(): ActionInputs[];
