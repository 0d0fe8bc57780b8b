import { accessSync, constants, createReadStream, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { createKafkaClient } from '../../adapters/kafka/client.js';
import { stopOnSignals } from '../../adapters/stop-signals.js';
import { decodeUtf8 } from '../../catalog/source-text.js';
import { messageOf, SchemaflowError, UsageError } from '../../domain/errors.js';
import type { RegisteredSchema } from '../../manifest/registry.js';
import type { ManifestSubject } from '../../manifest/types.js';
import { describeViolations, UnknownSchemaError } from '../../sdk/errors.js';
import { createManifestLoader, loadManifest } from '../../sdk/manifest-source.js';
import { createProducer, type ValidJson } from '../../sdk/producer.js';
import { defineCommand, environmentOption, oneOf, positiveInteger } from '../command.js';
import { readLines, type InputLine } from '../ndjson-input.js';

const BATCH = 500;
/**
 * Kafka takes a record batch (all of a request's records for one partition) of at most the
 * topic's max.message.bytes, by default the broker's message.max.bytes of 1,048,588: a batch of
 * 500 events of 2.2 KB each was refused whole (MESSAGE_TOO_LARGE). A batch holds at most half a
 * MiB of records, less when the catalog sets the topic's max.message.bytes lower.
 */
const BATCH_BYTES = 512 * 1024;
const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
/** A record's size besides its value and subject header: its framing, the other headers' names and values, a Confluent prefix (generous). */
const RECORD_OVERHEAD_BYTES = 96;
const PROGRESS_EVERY = 10_000;
/**
 * The longest line read (64 MiB, far above any topic's record limit in practice): a longer one is
 * invalid, counted but not held, so memory stays bounded whatever the input (a file of one JSON
 * array, a binary file given by mistake).
 */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

const PRODUCE_SETTINGS = ['kafkaBrokers', 'kafkaSaslMechanism', 'kafkaSaslUsername', 'kafkaSaslPassword', 'kafkaSsl', 'manifestUrl', 'gcsEndpoint'] as const;

const produce = defineCommand({
  name: 'produce',
  summary: 'validate NDJSON events and send them to a subject’s topic',
  args: '<subject> [file|-]',
  settings: PRODUCE_SETTINGS,
  options: {
    env: environmentOption(PRODUCE_SETTINGS),
    version: { type: 'string', valueName: 'n', description: 'validate against this version [default: the latest]' },
    'on-invalid': { type: 'string', valueName: 'skip|abort', description: 'skip invalid lines and go on, or stop at the first [default: skip]' },
    'confluent-framing': { type: 'boolean', description: 'also frame values the Confluent way (magic byte + 4-byte ID)' },
  },
  stopsOnSignals: 'it stops reading, sends the valid lines read so far and reports the line to resume from (tail -n +N)',
  details: 'One JSON event per line, from a file or standard input (-). Events are validated against the manifest at <manifest location>/latest.json and sent in batches; invalid lines are reported with their line numbers. Exit 0 when every line was sent, 1 when a line was invalid or the brokers could not be reached, 2 for an unreadable file or a subject or version the manifest lacks.',
  async run({ positionals, options, config, io }) {
    const [subject, file = '-'] = positionals;
    if (!subject) throw new UsageError('expected: schemaflow produce <subject> [file|-]');
    const onInvalid = oneOf(options['on-invalid'], ['skip', 'abort'], 'skip', 'on-invalid');
    const version = options.version !== undefined ? positiveInteger(options.version, 'version', 1) : undefined;

    if (file !== '-') checkEventsFile(file);
    const manifest = await loadManifest(`${config.manifestUrl.replace(/\/+$/, '')}/latest.json`, createManifestLoader(config.gcsEndpoint ? { gcsEndpoint: config.gcsEndpoint } : {}));
    const producer = await createProducer({
      manifest,
      kafka: createKafkaClient(config, 'schemaflow-produce'),
      confluentFraming: options['confluent-framing'] === true,
    });
    let schema: RegisteredSchema;
    try {
      schema = producer.schemaFor(subject, version);
    } catch (error) {
      // A subject or version the manifest does not have is a mistake in the command line: exit 2.
      if (!(error instanceof UnknownSchemaError)) throw error;
      throw new UsageError(messageOf(error), { code: 'SUBJECT_UNKNOWN' });
    }
    try {
      await producer.connect();
    } catch (error) {
      throw new SchemaflowError('KAFKA_UNREACHABLE', `cannot reach the Kafka brokers ${config.kafkaBrokers.join(',')}: ${messageOf(error)}. Nothing was sent.`, { cause: error, retriable: true });
    }
    let line = 0;
    let sent = 0;
    let invalid = 0;
    // The lines as written: a number a double would change keeps its digits (checkJson).
    let batch: Array<{ checked: ValidJson }> = [];
    let batchBytes = 0;
    const batchLimit = batchBytesFor(manifest.subjects.find((entry) => entry.subject === subject));
    let batchFrom = 1;
    let batchTo = 1;
    /** Sends the batch; false when the topic refused its one event for its size, an invalid line. */
    const flush = async (): Promise<boolean> => {
      if (batch.length === 0) return true;
      const [only] = batch;
      try {
        await producer.sendChecked(subject, batch);
      } catch (error) {
        // A batch of one event holds only that record, and the broker refuses it whole: nothing
        // was written, and sending it again fails the same way, so it is a line to skip, not a
        // place to resume from. (An event larger than a batch may hold is always sent alone.)
        if (batch.length !== 1 || only === undefined || !isTooLarge(error)) throw sendFailure(error, { subject, sent, batch: batch.length, from: batchFrom, to: batchTo });
        invalid += 1;
        io.err(`line ${batchFrom}: ${only.checked.json.length} bytes, more than topic ${subject} takes (the broker refused it as MESSAGE_TOO_LARGE: over the topic's max.message.bytes): not sent`);
        batch = [];
        batchBytes = 0;
        return false;
      }
      sent += batch.length;
      batch = [];
      batchBytes = 0;
      return true;
    };
    /** Checks one line and adds it to the batch (sending a full one); false when the input is to be read no further. */
    const handle = async (read: InputLine): Promise<boolean> => {
      if (!read.ok) {
        invalid += 1;
        io.err(`line ${line}: ${read.length} bytes, more than a line may hold (${MAX_LINE_BYTES} bytes; Kafka takes a record of at most the topic's max.message.bytes, 1 MiB by default): not read. Give one JSON event per line`);
        return onInvalid !== 'abort';
      }
      const { bytes } = read;
      // Bytes that are not UTF-8 are refused, not replaced: the flow would quarantine such a
      // record as NOT_JSON. A byte order mark (as some editors save) is dropped.
      const decoded = decodeUtf8(bytes);
      if (!decoded.ok) {
        invalid += 1;
        io.err(`line ${line}: not UTF-8 (byte ${decoded.byteOffset + 1} of the line, 0x${(bytes[decoded.byteOffset] ?? 0).toString(16).toUpperCase().padStart(2, '0')}): save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)`);
        return onInvalid !== 'abort';
      }
      const text = decoded.text;
      if (text.trim() === '') return true;
      // The SDK's check: the depth on the text first (validators recurse), then the schema.
      const checked = producer.checkJson(subject, text, { version: schema.version });
      if (!checked.ok) {
        invalid += 1;
        io.err(`line ${line}: ${describeViolations(checked.violations)}`);
        return onInvalid !== 'abort';
      }
      const size = Buffer.byteLength(text) + subject.length + RECORD_OVERHEAD_BYTES;
      if (batchBytes + size > batchLimit && !(await flush()) && onInvalid === 'abort') return false;
      if (batch.length === 0) batchFrom = line;
      batch.push({ checked });
      batchBytes += size;
      batchTo = line;
      if (batch.length >= BATCH && !(await flush()) && onInvalid === 'abort') return false;
      return true;
    };
    const input = file === '-' ? process.stdin : createReadStream(file);
    // A signal ends the reading, even of a standard input that sends nothing more: what was read is sent.
    const stop = stopOnSignals((text) => io.err(text), 'sending the valid lines read so far, then stopping');
    stop.signal.addEventListener('abort', () => input.destroy());
    /** The first line not handled, when a signal stopped the reading. */
    let resumeAt: number | undefined;
    try {
      try {
        for await (const read of readLines(input, MAX_LINE_BYTES)) {
          line += 1;
          if (stop.received()) {
            resumeAt = line;
            break;
          }
          const goOn = await handle(read);
          // Progress every PROGRESS_EVERY lines, whatever became of the line (an invalid one too).
          if (line % PROGRESS_EVERY === 0) io.err(`${line} lines read, ${sent + batch.length} valid, ${invalid} invalid`);
          if (!goOn) break;
        }
      } catch (error) {
        // The input destroyed by the signal ends the reading with an error of its own; a send that failed is still one.
        if (!(stop.received() && (error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE')) throw error;
      }
      if (stop.received()) resumeAt ??= line + 1;
      await flush();
    } finally {
      stop.dispose();
      await producer.disconnect();
    }
    const received = stop.received();
    const stopped = received && resumeAt !== undefined ? `; stopped by ${received}: lines from ${resumeAt} on were not read, resume with tail -n +${resumeAt}` : '';
    io.out(`${sent} event(s) sent to ${subject} (version ${schema.version}, ID ${schema.id}); ${invalid} invalid line(s)${invalid > 0 && onInvalid === 'abort' ? ', stopped at the first' : ''}${stopped}`);
    // Stopped by a signal: the shell's convention, 128 + its number (130 for SIGINT, 143 for SIGTERM).
    return received ? 128 + osConstants.signals[received] : invalid > 0 ? 1 : 0;
  },
});

/** The most bytes of records a batch holds: BATCH_BYTES, or less under the topic's own max.message.bytes (as the manifest has it applied). */
function batchBytesFor(subject: ManifestSubject | undefined): number {
  const configured = Number(subject?.topicConfig.configs?.['max.message.bytes'] ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
  // The record batch's own header (61 bytes) and a margin.
  return Number.isSafeInteger(configured) && configured > 0 ? Math.min(BATCH_BYTES, configured - 1_024) : BATCH_BYTES;
}

/** Whether kafkajs failed for a record (batch) over the topic's max.message.bytes. */
function isTooLarge(error: unknown): boolean {
  const { type, cause } = error as { type?: string; cause?: { type?: string } };
  return type === 'MESSAGE_TOO_LARGE' || cause?.type === 'MESSAGE_TOO_LARGE';
}

/**
 * A batch the brokers did not take: how far the input got, so it can be resumed without
 * sending twice what went out, nor losing what did not. kafkajs may have written part of a
 * batch that spans partitions before failing.
 */
function sendFailure(error: unknown, at: { subject: string; sent: number; batch: number; from: number; to: number }): SchemaflowError {
  const { type, retriable, cause } = error as { type?: string; retriable?: boolean; cause?: { type?: string } };
  const missing = type === 'UNKNOWN_TOPIC_OR_PARTITION' || cause?.type === 'UNKNOWN_TOPIC_OR_PARTITION';
  const why = missing ? `topic ${at.subject} does not exist on these brokers: register the catalog in this environment first (schemaflow register), which creates it` : messageOf(error);
  const done = at.sent === 0 ? 'Nothing was sent before it' : `The ${at.sent} event(s) before line ${at.from} were sent`;
  return new SchemaflowError(
    'KAFKA_SEND_FAILED',
    `sending the ${at.batch} valid event(s) of lines ${at.from}–${at.to} to ${at.subject} failed: ${why}. ${done}; that batch may have been written in part. To resume, send the input from line ${at.from} on again (tail -n +${at.from}); events of that batch already written would then be there twice.`,
    { cause: error, retriable: retriable === true && !missing },
  );
}

/**
 * An events file is readable before the manifest is loaded or a broker contacted (exit 2). A
 * directory passes `access(R_OK)` and fails only on the first read (EISDIR), after connecting.
 * A FIFO (`<(…)`, /dev/stdin) is fine: only directories are refused besides what access refuses.
 */
function checkEventsFile(file: string): void {
  let isDirectory: boolean;
  try {
    accessSync(file, constants.R_OK);
    isDirectory = statSync(file).isDirectory();
  } catch (error) {
    throw new UsageError(`cannot read the events file ${file}: ${messageOf(error)}`, { code: 'FILE_UNREADABLE' });
  }
  if (isDirectory) throw new UsageError(`cannot read the events file ${file}: it is a directory; give a file of one JSON event per line, or - for standard input`, { code: 'FILE_UNREADABLE' });
}

/** `schemaflow produce`. */
export const produceCommands = [produce];
