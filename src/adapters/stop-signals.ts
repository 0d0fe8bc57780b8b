const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Until disposed, the first SIGINT or SIGTERM aborts `signal` and logs `what` the command does
 * now (a flow run stops its reading and commits what it read; `produce` sends the batch at hand).
 * A second signal ends the process at once (Node's default, the handlers being gone).
 */
export function stopOnSignals(log: (line: string) => void, what: string): { signal: AbortSignal; received: () => NodeJS.Signals | undefined; dispose: () => void } {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const dispose = (): void => {
    for (const name of STOP_SIGNALS) process.off(name, onSignal);
  };
  const onSignal = (name: NodeJS.Signals): void => {
    received = name;
    dispose();
    log(`schemaflow: ${name}: ${what} (send it again to end at once)`);
    controller.abort();
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return { signal: controller.signal, received: () => received, dispose };
}
