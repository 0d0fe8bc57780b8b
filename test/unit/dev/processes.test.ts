import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, it } from 'vitest';
import { isOurProcess, isRunning } from '../../../src/dev/processes.js';

const children: number[] = [];
afterAll(() => {
  for (const pid of children) process.kill(pid, 'SIGKILL');
});

/** A process state letter from /proc (Z = zombie). */
const stateOf = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
};

// Regression (CI of the broker-restart test): a broker killed with SIGKILL and not yet reaped by its
// parent is a zombie with an empty /proc cmdline; `ensureService` took it for the running broker
// and failed with "kafka exited while starting" instead of starting a new one.
it('does not take an unreaped zombie for a live process of ours', async () => {
  // `sleep 1` is a child of the shell, which then becomes `sleep 30` and never reaps it. The child
  // outlives the exec: one that ended before it (`sleep 0` on a busy machine) could be reaped by the shell.
  const parent = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 30 # marker-schemaflow-test'], { stdio: ['ignore', 'pipe', 'ignore'] });
  if (parent.pid !== undefined) children.push(parent.pid);
  const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8').trim()))));
  for (let waited = 0; stateOf(zombie) !== 'Z' && waited < 5_000; waited += 20) await sleep(20);
  expect(stateOf(zombie)).toBe('Z');
  expect(isRunning(zombie)).toBe(false);
  expect(isOurProcess(zombie, 'sleep')).toBe(false);
  // The live parent with the marker in its command line still counts.
  for (let waited = 0; !isOurProcess(parent.pid ?? 0, 'sleep 30') && waited < 5_000; waited += 20) await sleep(20);
  expect(isOurProcess(parent.pid ?? 0, 'sleep 30')).toBe(true);
  expect(isOurProcess(parent.pid ?? 0, 'some-other-service')).toBe(false);
});
