import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { actionNode } from './action-runtime.js';

export interface ActionRun {
  readonly code: number;
  readonly stdout: string;
  /** What the step printed to stderr (the runner shows it in the log too). */
  readonly stderr: string;
  /** The step's outputs, parsed from GITHUB_OUTPUT. */
  readonly outputs: Readonly<Record<string, string>>;
  /** What the step wrote to GITHUB_STEP_SUMMARY. */
  readonly summary: string;
}

/**
 * Runs a committed action bundle (`actions/<name>/dist/index.js`) as the runner does: a process
 * of the Node.js major its action.yml names (action-runtime.ts), with `INPUT_<NAME>` variables
 * (hyphens kept, as GitHub keeps them; an input not given gets its `default` from action.yml, as
 * the runner gives it), a GITHUB_OUTPUT and a GITHUB_STEP_SUMMARY file; nothing else of this
 * process's environment but PATH and HOME.
 * `started` gets the process, to signal it as a runner cancelling the step does.
 */
export function runAction(name: string, options: { cwd: string; inputs: Record<string, string>; env?: NodeJS.ProcessEnv; started?: (child: ChildProcess) => void }): Promise<ActionRun> {
  const node = actionNode();
  const files = mkdtempSync(join(tmpdir(), 'schemaflow-action-'));
  const outputs = join(files, 'outputs');
  const summary = join(files, 'summary');
  writeFileSync(outputs, '');
  writeFileSync(summary, '');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_WORKSPACE: options.cwd, GITHUB_OUTPUT: outputs, GITHUB_STEP_SUMMARY: summary, ...options.env };
  const metadata = parse(readFileSync(fileURLToPath(new URL(`../../actions/${name}/action.yml`, import.meta.url)), 'utf8')) as { inputs?: Record<string, { default?: string }> };
  const defaults = Object.fromEntries(Object.entries(metadata.inputs ?? {}).flatMap(([input, spec]) => (spec.default === undefined ? [] : [[input, spec.default]])));
  for (const [input, value] of Object.entries({ ...defaults, ...options.inputs })) env[`INPUT_${input.toUpperCase()}`] = value;
  const bundle = fileURLToPath(new URL(`../../actions/${name}/dist/index.js`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(node, [bundle], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    options.started?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      const parsed: Record<string, string> = {};
      for (const match of readFileSync(outputs, 'utf8').matchAll(/^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) parsed[match[1] ?? ''] = match[3] ?? '';
      const result = { code: code ?? 1, stdout, stderr, outputs: parsed, summary: readFileSync(summary, 'utf8') };
      rmSync(files, { recursive: true, force: true });
      resolve(result);
    });
  });
}
