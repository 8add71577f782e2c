/** A tailing loop's waits: cut short by a watched change or by stop. */
export interface TailPause {
  /** Sleep `ms`, or less when {@link TailPause.wake} is called or `signal` aborts first. */
  readonly pause: (ms: number) => Promise<void>;
  /** End the wait going on, if any. */
  readonly wake: () => void;
}

/** Make a tailing loop's waits; none waits once `signal` has aborted. */
export function createTailPause(signal: AbortSignal): TailPause {
  let wake: (() => void) | undefined;
  const pause = (ms: number): Promise<void> =>
    new Promise((done) => {
      if (signal.aborted) {
        done();
        return;
      }
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        wake = undefined;
        done();
      };
      const timer = setTimeout(finish, ms);
      signal.addEventListener('abort', finish, { once: true });
      wake = finish;
    });
  return { pause, wake: () => wake?.() };
}
