// kafkajs's per-connection request queue (a CommonJS class, not part of its typed API), patched
// by request-queue-fix.ts.
declare module 'kafkajs/src/network/requestQueue/index.js' {
  class RequestQueue {
    constructor(options: Record<string, unknown>);
    destroy(): void;
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
  }
  export default RequestQueue;
}
