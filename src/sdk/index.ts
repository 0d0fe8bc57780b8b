/** What producers and consumers import: `import { createProducer, createDecoder } from 'schemaflow'`. */
export { createProducer, type ProducerOptions, type SchemaProducer, type SendOptions } from './producer.js';
export { createDecoder, type Decoder, type DecodeResult } from './decoder.js';
export { EventValidationError, UnknownSchemaError, type Violation } from './errors.js';
export { createManifestLoader, type ManifestLoader } from './manifest-source.js';
export { HEADERS } from './framing.js';
