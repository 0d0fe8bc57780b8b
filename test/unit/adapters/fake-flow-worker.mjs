// A stand-in for dist/adapters/flow-worker.js in flow-workers.test.ts: it speaks the workers'
// protocol and does what the scenario in workerData.config.lakeUrl says, without Kafka.
import { parentPort, workerData } from 'node:worker_threads';

const { worker, options, config } = workerData;
const scenario = config.lakeUrl;
const report = {
  runId: options.runId,
  manifestSerial: 3 + worker,
  dryRun: options.dryRun,
  closeOnly: false,
  shard: `${options.shard.index}/${options.shard.count}`,
  partitions: [{ subject: 'apps-users', topic: 'apps-users', partition: worker, status: 'archived', from: '0', next: '5', high: '5', records: 5, written: 5, late: 0, bytes: 100, through: 0, quarantined: {}, objects: 1, units: 1, recovered: false, gaps: [] }],
  missingTopics: [],
  closures: [{ subject: 'apps-users', closedThrough: null, hoursClosed: 0, markers: 0, held: 'a sharded run does not close hours; flow close does, once every shard is done' }],
  exitCode: 0,
};
if (scenario === 'exit' && worker === 1) process.exit(3);
if (scenario === 'usage') parentPort.postMessage({ type: 'failed', code: 'CONFIG_INVALID', message: `worker ${worker}: a bad setting`, usage: true, retriable: false });
else if (scenario === 'fail-one' && worker === 1) parentPort.postMessage({ type: 'failed', code: 'KAFKA_FAILED', message: 'the brokers went away', usage: false, retriable: true });
else {
  parentPort.postMessage({ type: 'log', line: 'warning: topic ghost does not exist in Kafka; skipped' });
  parentPort.postMessage({ type: 'log', line: `reading 1 partitions (apps-users/${worker})` });
  // A dry run records no position, as runFlow records none.
  parentPort.postMessage({ type: 'report', report, positions: options.dryRun ? [] : [{ topic: 'apps-users', partition: worker, next: 5n }] });
}
parentPort.unref();
