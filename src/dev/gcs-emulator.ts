import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceSpec } from './service.js';
import { ensureFakeGcsServer, type Log } from './toolchain.js';
import { FAKE_GCS_SERVER_VERSION } from './versions.js';

export interface EmulatorOptions {
  readonly dir: string;
  readonly cacheDir: string;
  readonly port: number;
  readonly log: Log;
}

/**
 * fake-gcs-server over plain HTTP on 127.0.0.1 (its defaults are https on 0.0.0.0), keeping
 * objects on disk under the dev directory so they survive a restart.
 */
export function gcsEmulatorService(options: EmulatorOptions): ServiceSpec {
  const dataDir = join(options.dir, 'gcs', 'data');
  const endpoint = `http://127.0.0.1:${options.port}`;
  return {
    name: 'gcs',
    description: `fake-gcs-server ${FAKE_GCS_SERVER_VERSION}`,
    marker: dataDir,
    endpoint,
    ports: [options.port],
    readyTimeoutMs: 15_000,
    stopGraceMs: 5_000,
    probe: () => probeGcs(endpoint),
    async prepare() {
      const binary = await ensureFakeGcsServer(options.cacheDir, options.log);
      mkdirSync(dataDir, { recursive: true });
      return {
        command: binary,
        args: [
          '-scheme', 'http', '-host', '127.0.0.1', '-port', String(options.port),
          '-external-url', endpoint, '-public-host', `127.0.0.1:${options.port}`,
          '-backend', 'filesystem', '-filesystem-root', dataDir, '-log-level', 'warn',
        ],
      };
    },
  };
}

/** Readiness: the emulator's own health endpoint answers 200. */
export async function probeGcs(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/_internal/healthcheck`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}
