import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI, exactly what `npx schemaflow` runs (the test command builds it first). */
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliRun {
  readonly code: number;
  /** The signal that ended the process (SIGKILL from a SCHEMAFLOW_FAULT crash point), else null. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `schemaflow ...args` as a process with the given environment (nothing inherited unless
 * passed); `started` gets the process, to signal it; `node` is the Node.js binary (this one's by default).
 */
export function runSchemaflow(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; started?: (child: ChildProcess) => void; node?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [CLI, ...args], { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(options.timeoutMs ? { timeout: options.timeoutMs, killSignal: 'SIGTERM' as const } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? 1, signal, stdout, stderr }));
    options.started?.(child);
  });
}
