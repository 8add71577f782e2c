/** Success; for `scan`, no findings. */
export const EXIT_OK = 0;
/** `scan` found at least one secret or personal-data shape. */
export const EXIT_FINDINGS = 1;
/** `db lag --behind D`: at least one origin host's newest row is older than D. */
export const EXIT_HOST_BEHIND = 1;
/** `verify` found a problem: a row missing, copied, moved or after its writer closed, a bad line, a count that disagrees. */
export const EXIT_PROBLEMS = 1;
/** A usage error, an input that could not be read, or a key `keygen` would overwrite. */
export const EXIT_USAGE = 2;
/** `ship` gave up on a database that stayed unreachable (sysexits' EX_TEMPFAIL: try again later). */
export const EXIT_TEMPFAIL = 75;
/** Stopped by SIGINT/SIGTERM before finishing (`scan`, `stats`, `query --all`). */
export const EXIT_INTERRUPTED = 130;
