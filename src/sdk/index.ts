/** What producers and consumers import: `import { createProducer, createDecoder } from 'schemaflow'`. */
export { createProducer, type CheckedJson, type EventOf, type ProducerOptions, type SchemaProducer, type SendOptions, type SubjectEvents, type ValidJson } from './producer.js';
export { generateTypes } from './typegen.js';
export { createDecoder, type Decoder, type DecodeResult } from './decoder.js';
export { EventValidationError, UnknownSchemaError, type Violation } from './errors.js';
export { createManifestLoader, type ManifestLoader } from './manifest-source.js';
export { HEADERS } from '../manifest/framing.js';
