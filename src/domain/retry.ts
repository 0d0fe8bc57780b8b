/*
 * Whether a failed request may pass when made again: one rule for every store and loader
 * (the GCS and file lakes and states, the SDK's manifest loader).
 */

/** HTTP answers that may differ when asked again: 408 Request Timeout, 429 Too Many Requests, 5xx (RFC 9110 §15.5.9 and §15.6, RFC 6585 §4; GCS's retry strategy retries exactly these). */
export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Node's error codes for a connection that failed or timed out, and for a process short of file
 * handles: the same request may pass later. A missing, unreadable or wrong file (ENOENT, EACCES,
 * EISDIR), a host name that does not resolve (ENOTFOUND) or a certificate refused stays as it is.
 */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETDOWN', 'ENETUNREACH', 'EHOSTDOWN', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY']);

/** node-fetch's timeouts (under the GCS client's gaxios), which carry a `type` and no code. */
const TIMEOUT_TYPES = new Set(['request-timeout', 'body-timeout']);

/**
 * Whether making the request again may pass, from the error it failed with or one of its causes
 * (fetch's "fetch failed" carries the socket's error as its `cause`, a GCS client error the
 * request's as its `error`): a `retriable` the error states itself (kafkajs-style, or an
 * injected loader's), an HTTP status (a GCS client error's numeric `code`, or `status`) of 408,
 * 429 or 5xx, a transient network or file-handle error code, or a timeout. Anything else (a
 * credential, a location, an object no retry fixes) is not.
 */
export function mayPassOnRetry(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 5; depth += 1) {
    const { retriable, code, status, name, type, cause, error: inner } = current as { retriable?: unknown; code?: unknown; status?: unknown; name?: unknown; type?: unknown; cause?: unknown; error?: unknown };
    if (typeof retriable === 'boolean') return retriable;
    const httpStatus = typeof code === 'number' ? code : typeof status === 'number' ? status : undefined;
    if (httpStatus !== undefined && httpStatus >= 400) return isRetriableStatus(httpStatus);
    if ((typeof code === 'string' && TRANSIENT_CODES.has(code)) || name === 'TimeoutError' || (typeof type === 'string' && TIMEOUT_TYPES.has(type))) return true;
    current = cause ?? inner;
  }
  return false;
}
