/**
 * Work started by a request but finished after its response (Slack wants an answer within
 * three seconds; the reasoning loop takes longer). Shutdown and tests wait for it through
 * {@link BackgroundTasks.idle}; a task's failure is reported, never left unhandled.
 */
export interface BackgroundTasks {
  /** Start `task` now and track it until it settles. */
  run(name: string, task: () => Promise<void>): void;
  /** Resolves once every task started so far (and any they start) has settled. */
  idle(): Promise<void>;
  /** How many tasks are running. */
  readonly size: number;
}

/** Create a task tracker; `onError` hears a task that threw (by name, never its message). */
export function createBackgroundTasks(onError: (name: string, error: unknown) => void): BackgroundTasks {
  const running = new Set<Promise<void>>();
  return {
    run(name, task) {
      const promise = (async () => {
        try {
          await task();
        } catch (error) {
          onError(name, error);
        }
      })();
      running.add(promise);
      // Removal is the only follow-up; the promise itself never rejects.
      void promise.finally(() => running.delete(promise));
    },
    async idle() {
      while (running.size > 0) await Promise.all(running);
    },
    get size() {
      return running.size;
    },
  };
}
