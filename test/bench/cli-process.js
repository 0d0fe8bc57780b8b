// `schemaflow <args> --format json` as a process of its own, for benchmarks that measure it end
// to end (process start included) and read what its `--import`ed reporters print at exit.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** Runs the built CLI under `nodeArgs`; resolves its JSON report, stderr and wall time, rejects on a non-zero exit. */
export function runCliJson(args, { nodeArgs = [], env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, CLI, ...args, '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`schemaflow ${args.join(' ')} exited ${code}: ${stdout}${stderr}`));
      resolve({ ms, report: JSON.parse(stdout), stderr });
    });
  });
}
