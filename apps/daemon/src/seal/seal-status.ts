/** Whether the daemon seals its audit file, and how that goes: `/healthz` `audit.seal` and `GET /api/integrity`. */
export interface SealStatus {
  /** Whether `KORA_AUDIT_SEAL_KEY` is set. */
  readonly enabled: boolean;
  /** `sealing`: checkpoints are appended as rows arrive; `failed`: the file no longer matches its seal, nothing more is signed until a restart; `off`: no key. */
  readonly state: 'sealing' | 'failed' | 'off';
  /** The log's origin, the first line of every checkpoint. */
  readonly origin: string | null;
  /** The signing key as `NAME+KEYID`. */
  readonly key: string | null;
  /** Lines covered by the newest checkpoint. */
  readonly size: number;
  /** The newest checkpoint's root hash (base64). */
  readonly root: string | null;
  /** When the newest checkpoint was signed. */
  readonly last_checkpoint_at: string | null;
  /** Bytes of the audit file's chain not yet covered by a checkpoint. */
  readonly unsealed_bytes: number;
  /** While bytes are unsealed, seconds since the newest checkpoint (or since sealing started); else 0. */
  readonly lag_seconds: number;
  /**
   * The check made when sealing started: the tree brought to the newest checkpoint's size and
   * its root compared. `matched`, `mismatch`, or `no_checkpoint` (a log sealed for the first
   * time); null while it runs or when sealing is off.
   */
  readonly open_check: {
    readonly result: 'matched' | 'mismatch' | 'no_checkpoint';
    readonly size: number;
    readonly checked_at: string;
  } | null;
  /** The checkpoints file. */
  readonly checkpoints: string | null;
  /** Why sealing failed, or the problem it is retrying after. */
  readonly error?: string;
}

/** The status of a daemon started without `KORA_AUDIT_SEAL_KEY`. */
export const SEAL_OFF: SealStatus = {
  enabled: false,
  state: 'off',
  origin: null,
  key: null,
  size: 0,
  root: null,
  last_checkpoint_at: null,
  unsealed_bytes: 0,
  lag_seconds: 0,
  open_check: null,
  checkpoints: null,
};
