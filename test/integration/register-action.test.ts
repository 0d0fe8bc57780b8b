import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestRepo } from '../support/git-repo.js';
import { uniqueName } from './support/names.js';

/** The committed bundle of actions/register, run as the runner runs it: a process with INPUT_* variables. */
const ACTION = fileURLToPath(new URL('../../actions/register/dist/index.js', import.meta.url));
const team = uniqueName('ra').replace(/[^a-z0-9]/g, '').slice(0, 20);
const repo = createTestRepo({ withCatalog: false });
const directory = mkdtempSync(join(tmpdir(), 'schemaflow-register-action-'));
afterAll(() => {
  repo.dispose();
  rmSync(directory, { recursive: true, force: true });
});
repo.write(`catalog/${team}/events/subject.yaml`, 'description: Events.\nowners: ["@acme/x"]\n');
repo.write(`catalog/${team}/events/1.json`, JSON.stringify({ description: 'An event.', type: 'object', properties: { id: { description: 'Id.', type: 'string' } } }));
repo.commit('events v1');

function runAction(inputs: Record<string, string>): Promise<{ code: number; stdout: string; outputs: string; summary: string }> {
  const outputs = join(directory, `outputs-${Date.now()}`);
  const summary = join(directory, `summary-${Date.now()}`);
  writeFileSync(outputs, '');
  writeFileSync(summary, '');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_WORKSPACE: repo.root, GITHUB_OUTPUT: outputs, GITHUB_STEP_SUMMARY: summary, 'INPUT_DRY-RUN': 'false', INPUT_RECONCILE: 'false' };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ACTION], { env, cwd: repo.root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, outputs: readFileSync(outputs, 'utf8'), summary: readFileSync(summary, 'utf8') }));
  });
}

describe('actions/register', () => {
  it('registers, sets every output and writes a job summary; fails the step when the broker is unreachable', async () => {
    const manifestUrl = `file://${directory}/registry`;
    const result = await runAction({ 'kafka-brokers': inject('kafkaBrokers').join(','), 'manifest-url': manifestUrl });
    expect(result.stdout).not.toContain('::error');
    expect(result.code).toBe(0);
    for (const [name, value] of [['status', 'published'], ['serial', '1'], ['new-versions', '1'], ['manifest-url', `file://${directory}/registry`]] as const) {
      expect(result.outputs).toMatch(new RegExp(`${name}<<(\\S+)\\n${value.replace(/[/.]/g, '\\$&')}\\n\\1`));
    }
    expect(result.summary).toContain('schemaflow registration: published');
    expect(result.summary).toContain(`${team}-events`);

    const failed = await runAction({ 'kafka-brokers': '127.0.0.1:1', 'manifest-url': manifestUrl });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('::error::cannot reach the Kafka brokers 127.0.0.1:1');
  });
});
