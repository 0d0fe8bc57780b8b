import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createStorage, DOWNLOAD_CLIENT_OPTIONS, downloadObject } from '../../../src/sdk/gcs-client.js';
import { actionNode } from '../../support/action-runtime.js';
import { startGcsStub, type GcsStub } from '../../support/gcs-stub.js';

/*
 * Downloads are retried by schemaflow, not by the GCS client: the client's retry of a streamed
 * download crashed Node.js 22+ (ERR_STREAM_UNABLE_TO_PIPE, googleapis/google-cloud-node#8670),
 * and the actions run on Node.js 24.
 */
const stubs: GcsStub[] = [];
const stub = async (statuses: readonly number[], body = ''): Promise<GcsStub> => {
  const started = await startGcsStub(statuses, body);
  stubs.push(started);
  return started;
};
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((started) => started.close()));
});

const fileAt = async (endpoint: string) => (await createStorage({ apiEndpoint: endpoint, ...DOWNLOAD_CLIENT_OPTIONS })).bucket('lake').file('_state/t/0.json');
const downloads = (server: GcsStub): number => server.requests.filter((request) => request.includes('alt=media')).length;

describe('downloadObject', () => {
  it('tries a 503 and a 429 again, after 1–2 s and 2–3 s, and returns the bytes', async () => {
    const server = await stub([503, 429], '{"next":"8"}');
    const waits: number[] = [];
    const bytes = await downloadObject(await fileAt(server.url), { attempts: 6, totalMs: 120_000 }, (ms) => {
      waits.push(ms);
      return Promise.resolve();
    });
    expect(bytes.toString()).toBe('{"next":"8"}');
    expect(downloads(server)).toBe(3);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(1_000);
    expect(waits[0]).toBeLessThan(2_000);
    expect(waits[1]).toBeGreaterThanOrEqual(2_000);
    expect(waits[1]).toBeLessThan(3_000);
  });

  it('does not try a 404 again, and throws it as the client does', async () => {
    const server = await stub([404], 'never');
    await expect(downloadObject(await fileAt(server.url), { attempts: 6, totalMs: 120_000 }, () => Promise.resolve())).rejects.toMatchObject({ code: 404 });
    expect(downloads(server)).toBe(1);
  });

  it('stops at its attempts, and before a wait would pass its total time', async () => {
    const server = await stub([503, 503, 503, 503]);
    await expect(downloadObject(await fileAt(server.url), { attempts: 2, totalMs: 120_000 }, () => Promise.resolve())).rejects.toMatchObject({ code: 503 });
    expect(downloads(server)).toBe(2);
    const patient = await stub([503, 503, 503, 503]);
    await expect(downloadObject(await fileAt(patient.url), { attempts: 6, totalMs: 900 }, () => Promise.resolve())).rejects.toMatchObject({ code: 503 });
    expect(downloads(patient)).toBe(1);
  });
});

// The SDK's manifest loader in a process of the actions' Node.js (24): a 503 is retried there too,
// where the GCS client's own retry threw ERR_STREAM_UNABLE_TO_PIPE out of the process.
it('loads a gs:// manifest past a 503 on Node.js 24', async () => {
  const server = await stub([503], '{"manifest":true}');
  const loader = fileURLToPath(new URL('../../../dist/sdk/manifest-source.js', import.meta.url));
  const script = `const { createManifestLoader } = await import(${JSON.stringify(loader)}); const bytes = await createManifestLoader({ gcsEndpoint: ${JSON.stringify(server.url)} })('gs://acme/manifests/'); process.stdout.write(new TextDecoder().decode(bytes));`;
  const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(actionNode(), ['--input-type=module', '-e', script], { timeout: 15_000 }, (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }));
  });
  expect(run, run.stderr).toMatchObject({ code: 0, stdout: '{"manifest":true}' });
  expect(downloads(server)).toBe(2);
});
