/** Confluent wire framing: magic byte 0, then the schema ID as a 4-byte big-endian integer. */
export const MAGIC_BYTE = 0;

export function frame(id: number, payload: Uint8Array): Buffer {
  const buffer = Buffer.alloc(5 + payload.length);
  buffer.writeUInt8(MAGIC_BYTE, 0);
  buffer.writeUInt32BE(id, 1);
  buffer.set(payload, 5);
  return buffer;
}

/** The ID and payload of a framed message, or undefined when it is not framed. */
export function unframe(bytes: Buffer): { id: number; payload: Buffer } | undefined {
  if (bytes.length < 5 || bytes[0] !== MAGIC_BYTE) return undefined;
  return { id: bytes.readUInt32BE(1), payload: bytes.subarray(5) };
}

/** The schemaflow headers of a message (UTF-8 decimal strings). */
export const HEADERS = { id: 'schema-id', subject: 'schema-subject', version: 'schema-version' } as const;
