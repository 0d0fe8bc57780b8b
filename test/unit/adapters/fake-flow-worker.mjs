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
/** A bug in the thread: a TypeError with this script in its stack, as toPortableError posts it. */
function bug() {
  const error = new TypeError("Cannot read properties of undefined (reading 'next')");
  return { name: error.name, message: error.message, stack: error.stack };
}
const brokersGone = { name: 'SchemaflowError', message: 'reading records failed: the brokers went away', stack: 'SchemaflowError: reading records failed…\n    at read (record-source.js:1:1)', schemaflow: { code: 'KAFKA_FAILED', retriable: true, usage: false }, cause: { name: 'KafkaJSConnectionError', message: 'Connection error: the brokers went away', stack: 'KafkaJSConnectionError: Connection error…' } };

if (scenario === 'exit' && worker === 1) process.exit(3);
if (scenario === 'usage') parentPort.postMessage({ type: 'failed', error: { name: 'UsageError', message: `worker ${worker}: a bad setting`, schemaflow: { code: 'CONFIG_INVALID', retriable: false, usage: true } } });
else if (scenario === 'fail-one' && worker === 1) parentPort.postMessage({ type: 'failed', error: { name: 'SchemaflowError', message: 'the brokers went away', schemaflow: { code: 'KAFKA_FAILED', retriable: true, usage: false } } });
else if (scenario === 'fail-all' || (scenario === 'fail-one-caused' && worker === 1)) parentPort.postMessage({ type: 'failed', error: brokersGone });
else if ((scenario === 'bug-one' && worker === 1) || scenario === 'bug-all') parentPort.postMessage({ type: 'failed', error: bug() });
else if (scenario === 'throw-one' && worker === 1) {
  // Uncaught: the main thread hears of it through the thread's 'error' event.
  setImmediate(() => {
    throw new RangeError('an offset out of range, uncaught');
  });
} else {
  parentPort.postMessage({ type: 'log', line: 'warning: topic ghost does not exist in Kafka; skipped' });
  parentPort.postMessage({ type: 'log', line: `reading 1 partitions (apps-users/${worker})` });
  // A dry run records no position, as runFlow records none.
  parentPort.postMessage({ type: 'report', report, positions: options.dryRun ? [] : [{ topic: 'apps-users', partition: worker, next: 5n }] });
}
parentPort.unref();
