import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';

/** kafkajs's CHECK_PENDING_REQUESTS_INTERVAL: how soon a queue with requests waiting looks again. */
const CHECK_PENDING_MS = 10;

let fixed = false;

/**
 * Mends kafkajs 2.2.4's request queue (tulios/kafkajs#1704, #1751; unreleased upstream, and
 * kafkajs has had no release since 2023). After every response it set a timer for
 * `throttledUntil - now`, negative when nothing is throttled: Node.js ran it after 1 ms, and it
 * set the next, so every open connection woke the process a thousand times a second for
 * nothing (a few percent of a core each), and Node.js 24, the actions' runtime, printed a
 * TimeoutNegativeWarning into the log. Now a queue sets a timer only when it has to look again:
 * requests wait (in 10 ms, or when the broker's throttle ends) or a throttle is in force. A
 * queue with nothing waiting is looked at again when a request is pushed or answered, as before.
 * Idempotent; createKafkaClient calls it before every client the CLI, the actions and the flow's
 * threads make. The SDK leaves the caller's kafkajs as it is.
 */
export function fixKafkaRequestQueue(): void {
  if (fixed) return;
  fixed = true;
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueue): void {
    if (this.throttleCheckTimeoutId) return;
    const throttled = this.throttledUntil - Date.now();
    if (this.pending.length === 0 && throttled <= 0) return;
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      throttled > 0 ? throttled : CHECK_PENDING_MS,
    );
  };
}
