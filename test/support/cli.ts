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

/** How long a process past its timeout has after SIGTERM (which a flow run takes as "stop and commit") before SIGKILL. */
const KILL_GRACE_MS = 5_000;

/**
 * Runs `schemaflow ...args` as a process with the given environment (nothing inherited unless
 * passed); `started` gets the process, to signal it (or write to its standard input, with `stdin:
 * 'pipe'`); `node` is the Node.js binary (this one's by
 * default). Past `timeoutMs` it gets SIGTERM, so a flow run reports what it did, and SIGKILL
 * KILL_GRACE_MS later if it still runs (a run hung where a stop cannot reach it).
 */
export function runSchemaflow(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; started?: (child: ChildProcess) => void; node?: string; stdin?: 'ignore' | 'pipe' } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [CLI, ...args], { env: options.env ?? process.env, cwd: options.cwd, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let kill: NodeJS.Timeout | undefined;
    const timeout = options.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGTERM');
          kill = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        }, options.timeoutMs)
      : undefined;
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timeout);
      clearTimeout(kill);
      resolve({ code: code ?? 1, signal, stdout, stderr });
    });
    options.started?.(child);
  });
}
