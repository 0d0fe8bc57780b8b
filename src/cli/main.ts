#!/usr/bin/env node
import { runCli } from './program.js';

const exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  io: {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  },
});
process.exitCode = exitCode;
