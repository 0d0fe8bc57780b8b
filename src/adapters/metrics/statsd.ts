import StatsD from 'hot-shots';
import type { MetricsSink } from '../../ports.js';

/**
 * StatsD over UDP with hot-shots: names under `schemaflow.flow.`, tags in the DogStatsD form
 * (`|#subject:apps-users`), which Datadog, Telegraf and the StatsD exporter read. `host` is
 * `host[:port]`, port 8125 by default. Sending is fire-and-forget: an unreachable collector
 * costs a warning, never a run.
 */
export function createStatsdSink(host: string, warn: (line: string) => void): MetricsSink {
  const [name = host, port = '8125'] = host.split(/:(?=\d+$)/);
  return {
    send(metrics) {
      const client = new StatsD({ host: name, port: Number(port), prefix: 'schemaflow.flow.', maxBufferSize: 1_400, bufferFlushInterval: 50, errorHandler: (error) => warn(`warning: StatsD ${host}: ${error.message}`) });
      for (const metric of metrics) {
        if (metric.type === 'count') client.increment(metric.name, metric.value, { ...metric.tags });
        else if (metric.type === 'gauge') client.gauge(metric.name, metric.value, { ...metric.tags });
        else client.timing(metric.name, metric.value, { ...metric.tags });
      }
      return new Promise((resolve) => client.close(() => resolve()));
    },
  };
}
