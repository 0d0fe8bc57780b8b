#!/usr/bin/env node
import { quietGcsClientWarnings } from '../adapters/lake/gcs-warnings.js';
import { runCli } from './program.js';

quietGcsClientWarnings(process.env);

// `schemaflow check | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  io: {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  },
});
process.exitCode = exitCode;
