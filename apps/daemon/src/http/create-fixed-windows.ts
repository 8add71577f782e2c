/** What {@link createFixedWindows} needs. */
export interface FixedWindowsOptions {
  /** How long a key's window lasts, from the first event counted in it. */
  readonly windowMs: number;
  /** Keys remembered at most; past that, the key whose window started first is forgotten. */
  readonly capacity: number;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}

/** A key's count in its current window. */
export interface WindowCount {
  /** Events counted in the window; 0 when the key has no live window. */
  readonly count: number;
  /** When the window ends (ms since the epoch); `now` when there is none. */
  readonly resetsAt: number;
}

/** Counts per key (a peer address, a caller) in fixed windows. */
export interface FixedWindows {
  /** `key`'s count in its current window, without counting anything. */
  peek(key: string): WindowCount;
  /** Add `amount` to `key`'s count, starting a window if it has none; returns the new count. */
  add(key: string, amount: number): WindowCount;
}

/**
 * Fixed-window counters on an injected clock, so window expiry is testable without sleeping.
 * Memory is bounded by `capacity`: a client that cycles through addresses can make the
 * counters forget a key early (its next event then counts as the first of a new window), but
 * never make them grow without end.
 */
export function createFixedWindows(options: FixedWindowsOptions): FixedWindows {
  // Key → window. A key is re-inserted when its window starts, so a Map's insertion order is
  // window-start order and the first entries are the ones to expire or evict first.
  const windows = new Map<string, { count: number; resetsAt: number }>();

  const prune = (now: number): void => {
    for (const [key, window] of windows) {
      if (window.resetsAt > now && windows.size <= options.capacity) break;
      windows.delete(key);
    }
  };

  return {
    peek(key) {
      const now = options.clock();
      const window = windows.get(key);
      return window === undefined || window.resetsAt <= now
        ? { count: 0, resetsAt: now }
        : { count: window.count, resetsAt: window.resetsAt };
    },
    add(key, amount) {
      const now = options.clock();
      let window = windows.get(key);
      if (window === undefined || window.resetsAt <= now) {
        windows.delete(key);
        window = { count: 0, resetsAt: now + options.windowMs };
        windows.set(key, window);
        prune(now);
      }
      window.count += amount;
      return { count: window.count, resetsAt: window.resetsAt };
    },
  };
}
