import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Global setup of every project: one temporary directory per test run, made the `TMPDIR` of the
 * run (its workers and the processes they spawn inherit it, so every `mkdtempSync(tmpdir())` of a
 * test lands in it), and removed when the run ends. Vitest runs this once per project and tears
 * setups down in reverse order: the first call owns the directory and removes it last, after the
 * integration setup has stopped the services it started inside it.
 */
export default function setup(): (() => void) | undefined {
  if (process.env.SCHEMAFLOW_TEST_TMPDIR) return undefined;
  const root = mkdtempSync(join(tmpdir(), 'schemaflow-test-run-'));
  process.env.SCHEMAFLOW_TEST_TMPDIR = root;
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
