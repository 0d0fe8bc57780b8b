import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SchemaflowError } from '../domain/errors.js';

/** What to tell a user who lacks a tool. */
const INSTALL_HINTS: Record<string, string> = {
  java: 'install a Java 17+ JDK (Debian: `apt-get install openjdk-17-jdk-headless`) or set JAVA_HOME',
  mvn: 'install Apache Maven (Debian: `apt-get install maven`)',
  go: 'install Go 1.25 or newer (https://go.dev/doc/install; Debian backports: golang)',
};

export interface CommandResult {
  readonly code: number;
  readonly output: string;
}

/**
 * Runs a short-lived command to completion and returns its exit code and combined output.
 * A missing executable becomes a `TOOL_MISSING` error that says what to install.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-64_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? missingTool(command, error)
          : new SchemaflowError('COMMAND_FAILED', `could not run ${command}: ${error.message}`, { cause: error }),
      );
    });
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The `TOOL_MISSING` error for an executable that is not on PATH. */
export function missingTool(command: string, cause?: unknown): SchemaflowError {
  const name = command.split('/').pop() ?? command;
  const hint = INSTALL_HINTS[name] ?? `install ${name}`;
  return new SchemaflowError('TOOL_MISSING', `${name} was not found on PATH: ${hint}`, { cause });
}

/**
 * Starts a long-running process detached from this one (its own process group, output appended
 * to `logFile`), so it outlives the CLI call that started it. Returns its pid.
 */
export function startDetached(command: string, args: readonly string[], logFile: string): Promise<number> {
  const out = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', out, out] });
    return new Promise((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? missingTool(command, error) : error),
      );
      child.once('spawn', () => {
        child.unref();
        if (child.pid === undefined) reject(new SchemaflowError('COMMAND_FAILED', `${command} did not start`));
        else resolve(child.pid);
      });
    });
  } finally {
    closeSync(out);
  }
}

/** The command line of a live process, or undefined when no such process exists. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    // No /proc (macOS): fall back to signal 0, which only proves that *a* process has the pid.
    try {
      process.kill(pid, 0);
      return '';
    } catch {
      return undefined;
    }
  }
}

/**
 * Whether `pid` is alive and still the process we started: its command line contains `marker`.
 * Guards against pid reuse, so `dev down` never signals a stranger.
 */
export function isOurProcess(pid: number, marker: string): boolean {
  // A killed child that its parent has not reaped yet is a zombie whose /proc cmdline is empty:
  // it would pass the '' (no /proc) branch below as alive. It is dead: a restart must start anew.
  if (!isRunning(pid)) return false;
  const commandLine = commandLineOf(pid);
  if (commandLine === undefined) return false;
  return commandLine === '' || commandLine.includes(marker);
}

/**
 * Stops a process: SIGTERM, then SIGKILL after `graceMs`, and waits until it is really gone.
 * Returns how it ended.
 */
export async function stopProcess(pid: number, graceMs: number): Promise<'terminated' | 'killed' | 'gone'> {
  if (commandLineOf(pid) === undefined) return 'gone';
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(pid, name);
    } catch {
      // already exited
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return 'terminated';
    await sleep(100);
  }
  signal('SIGKILL');
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (!isRunning(pid)) return 'killed';
    await sleep(100);
  }
  throw new SchemaflowError('STOP_FAILED', `process ${pid} is still running after SIGKILL`);
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name, is the state; Z = zombie, X = dead.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** Whether nothing listens on 127.0.0.1:`port`. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the OS considers free right now (for tests that need their own services). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The last `maxChars` characters of a log file, for error messages. */
export function tailOf(file: string, maxChars = 4_000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > maxChars ? `…${text.slice(-maxChars)}` : text;
  } catch {
    return '(no log)';
  }
}
