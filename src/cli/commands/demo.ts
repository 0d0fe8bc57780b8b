import { DEMO_SETTINGS, runDemo } from '../../demo/lifecycle.js';
import { defineCommand, positiveInteger } from '../command.js';

const demo = defineCommand({
  name: 'demo',
  summary: 'run the whole lifecycle locally: broker, check, register, produce, flow, lake audit',
  settings: DEMO_SETTINGS,
  options: {
    events: { type: 'string', valueName: 'n', description: 'valid sample events per subject, produced once into each empty topic [default: 40]' },
    'keep-services': { type: 'boolean', description: 'leave the broker (and emulator) the demo started running [default: stop them at the end]' },
  },
  details: [
    'Starts the local Kafka broker (and the GCS emulator for --lake gs://bucket/prefix), checks and',
    'registers the example catalog (the one in ./catalog, else the one schemaflow ships), produces',
    'sample events for every subject with the SDK (and two invalid records each), runs the flow into',
    'the lake (file://./lake by default, kept), audits it, and prints where the data landed, what was',
    'quarantined and a DuckDB query of the history. A second run changes nothing. Exit 0: the lake',
    'audits clean; 1: a step found a problem (printed); 2: bad configuration.',
  ].join('\n'),
  // The services run detached, out of reach of a Ctrl-C: left running, they would hold the ports and half a gigabyte.
  stopsOnSignals: 'it stops the broker (and emulator) it started, unless --keep-services',
  run({ options, config, io }) {
    const events = positiveInteger(options.events, 'events', 40, 100_000);
    return runDemo({ root: process.cwd(), config, eventsPerSubject: events, keepServices: options['keep-services'] === true, out: (line) => io.out(line), err: (line) => io.err(line) });
  },
});

/** `schemaflow demo`. */
export const demoCommands = [demo];
