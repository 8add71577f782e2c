// The JSON the daemon's panel API answers with, as far as the page reads it. Every value is
// checked before use where a wrong type could break the page; strings are shown as text.

/** A table column of a panel: which details key fills it, per seam. */
export interface PanelColumnWire {
  readonly label: string;
  readonly keys: Readonly<Record<string, string>>;
  /** Shown only where there is room: hidden on narrower windows, and last in a phone's cards. */
  readonly minor?: boolean;
}

/** One panel's definition, from `GET /api/panels`. */
export interface PanelDefinitionWire {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly seams: readonly string[];
  readonly columns: readonly PanelColumnWire[];
}

/** One audit row. */
export interface RowWire {
  readonly id: string;
  readonly seam: string;
  readonly emitted_at: string;
  readonly caller_session_id?: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

/** One page of a panel, from `GET /api/panels/:panel`. */
export interface PanelPageWire {
  readonly rows: readonly RowWire[];
  readonly next_cursor: string | null;
  readonly skipped?: Readonly<Record<string, number>>;
}

/** Where sealing stands, from `GET /api/integrity`. */
export interface SealStatusWire {
  readonly state: string;
  readonly enabled?: boolean;
  readonly error?: string;
  readonly size?: number;
  readonly key?: string;
  readonly last_checkpoint_at?: string;
  readonly unsealed_bytes?: number;
  readonly lag_seconds?: number;
  readonly checkpoints?: string;
  readonly open_check?: { readonly result: string; readonly checked_at: string; readonly size?: number } | null;
}

/** Calls of one seam per time bucket. */
export interface SeamActivityWire {
  readonly seam: string;
  readonly total: readonly number[];
  readonly denied: readonly number[];
  readonly failed: readonly number[];
}

/** Calls per seam over time, from `GET /api/activity`. */
export interface ActivityWire {
  readonly from: string;
  readonly to: string;
  readonly bucket_seconds: number;
  /** Each bucket's start, in Unix seconds. */
  readonly times: readonly number[];
  readonly seams: readonly SeamActivityWire[];
  readonly truncated: boolean;
}
