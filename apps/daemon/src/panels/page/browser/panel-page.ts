/**
 * The panels page's script, bundled with esbuild and served as `/assets/panels.js`, so the
 * Content-Security-Policy can forbid inline script. Every value from a row is put into the
 * page as text (`append` of strings, `textContent`), never parsed as HTML.
 */
import 'uplot/dist/uPlot.min.css';
import { createActivityChart } from './activity-chart.js';
import type { ActivityChart } from './activity-chart.js';
import { Unauthorized, callApi, isRecord } from './call-api.js';
import { el } from './create-element.js';
import type { PanelDefinitionWire, PanelPageWire, RowWire, SealStatusWire } from './wire-types.js';

// How many rows one panel keeps on screen; live rows push the oldest out past this.
const MAX_ROWS = 1000;
const PAGE_ROWS = 50;
const RETRY_MS = 3000;
const HIGHLIGHT_MS = 4000;
const RELATIVE_REFRESH_MS = 15000;
const INTEGRITY_REFRESH_MS = 3000;

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
const timeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page has no #${id}`);
  return node;
}

const page = {
  connection: byId('connection', HTMLElement),
  login: byId('login', HTMLElement),
  loginForm: byId('login-form', HTMLFormElement),
  token: byId('token', HTMLInputElement),
  loginError: byId('login-error', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  error: byId('page-error', HTMLElement),
  panels: byId('panels', HTMLElement),
};

interface Filters {
  seam: string;
  since: string;
  until: string;
}

interface Panel {
  readonly definition: PanelDefinitionWire;
  readonly ids: Set<string>;
  filters: Filters;
  cursor: string | null;
  generation: number;
  loading: boolean;
  readonly pending: RowWire[];
  source: EventSource | null;
  lastEventId: string;
  started: boolean;
  stopped: boolean;
  retry: ReturnType<typeof setTimeout> | undefined;
  trimmed: boolean;
  skipped: number;
  readonly columnCount: number;
  readonly seamInput: HTMLSelectElement | undefined;
  readonly sinceInput: HTMLInputElement;
  readonly untilInput: HTMLInputElement;
  readonly body: HTMLTableSectionElement;
  readonly status: HTMLElement;
  readonly olderButton: HTMLButtonElement;
  readonly section: HTMLElement;
}

interface IntegrityView {
  readonly section: HTMLElement;
  readonly fields: Readonly<Record<'state' | 'checkpoint' | 'unsealed' | 'verification' | 'checkpoints', HTMLElement>>;
  stopped: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

let panels: Panel[] = [];
let integrity: IntegrityView | null = null;
let chart: ActivityChart | null = null;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function own(object: unknown, key: string): boolean {
  return object !== null && typeof object === 'object' && Object.prototype.hasOwnProperty.call(object, key);
}

function setConnection(state: string, label: string): void {
  page.connection.dataset.state = state;
  page.connection.textContent = label;
}

function showError(message: string): void {
  page.error.hidden = message === '';
  page.error.textContent = message;
}

// ---- sign-in -------------------------------------------------------------------------

function showLogin(message: string): void {
  stopPanels();
  page.panels.replaceChildren();
  page.logout.hidden = true;
  page.login.hidden = false;
  page.loginError.textContent = message;
  setConnection('signed-out', 'Signed out');
  page.token.focus();
}

page.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void signIn();
});

async function signIn(): Promise<void> {
  page.loginError.textContent = '';
  try {
    await callApi('api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: page.token.value }),
    });
  } catch (error) {
    page.loginError.textContent = error instanceof Unauthorized ? 'That token was not accepted.' : `Sign-in failed: ${messageOf(error)}`;
    return;
  }
  page.token.value = '';
  await showPanels();
}

page.logout.addEventListener('click', () => {
  // Signed out locally either way; the session also ends on its own.
  void callApi('api/session', { method: 'DELETE' })
    .catch(() => undefined)
    .then(() => showLogin(''));
});

async function start(): Promise<void> {
  let session: unknown;
  try {
    session = await callApi('api/session');
  } catch (error) {
    showError(`Could not reach the daemon: ${messageOf(error)}`);
    return;
  }
  if (isRecord(session) && session.signed_in === true) await showPanels();
  else showLogin('');
}

// ---- panels ----------------------------------------------------------------------------

async function showPanels(): Promise<void> {
  let list: unknown;
  try {
    list = await callApi('api/panels');
  } catch (error) {
    if (error instanceof Unauthorized) showLogin('');
    else showError(`Could not load the panels: ${messageOf(error)}`);
    return;
  }
  if (!isRecord(list) || !Array.isArray(list.panels)) {
    showError('Could not load the panels: the daemon sent them in an unknown shape');
    return;
  }
  showError('');
  stopPanels();
  page.login.hidden = true;
  page.logout.hidden = false;
  panels = (list.panels as PanelDefinitionWire[]).map(createPanel);
  integrity = createIntegrity();
  chart = createActivityChart(() => showLogin('Your session has ended; sign in again.'));
  page.panels.replaceChildren(chart.section, integrity.section, ...panels.map((panel) => panel.section));
  void refreshIntegrity(integrity);
  for (const panel of panels) connect(panel);
  updateConnection();
}

function stopPanels(): void {
  if (integrity) {
    integrity.stopped = true;
    clearTimeout(integrity.timer);
    integrity = null;
  }
  chart?.stop();
  chart = null;
  for (const panel of panels) {
    panel.stopped = true;
    clearTimeout(panel.retry);
    panel.source?.close();
    panel.source = null;
  }
  panels = [];
}

function field(id: string, label: string, control: HTMLElement): HTMLLabelElement {
  return el('label', { for: id }, label, control);
}

/** The columns of a panel's table, in order: label, CSS class and whether it is minor. */
function columnsOf(definition: PanelDefinitionWire): { label: string; className: string }[] {
  return [
    { label: 'Time', className: 'time' },
    { label: 'Seam', className: 'seam' },
    ...definition.columns.map((column) => ({ label: column.label, className: column.minor === true ? 'minor' : 'main' })),
    { label: 'Caller session', className: 'session' },
  ];
}

function createPanel(definition: PanelDefinitionWire): Panel {
  const id = `panel-${definition.name}`;
  const form = el('form', { class: 'filters', 'aria-label': `${definition.title} filters` });
  let seamInput: HTMLSelectElement | undefined;
  if (definition.seams.length > 1) {
    seamInput = el('select', { id: `${id}-seam`, name: 'seam' }, el('option', { value: '' }, 'All seams'));
    for (const seam of definition.seams) seamInput.append(el('option', { value: seam }, seam));
    form.append(field(`${id}-seam`, 'Seam', seamInput));
  }
  const sinceInput = el('input', { id: `${id}-since`, name: 'since', type: 'datetime-local', step: '1' });
  const untilInput = el('input', { id: `${id}-until`, name: 'until', type: 'datetime-local', step: '1' });
  form.append(
    field(`${id}-since`, 'Since', sinceInput),
    field(`${id}-until`, 'Until', untilInput),
    el('button', { type: 'submit' }, 'Apply'),
    el('button', { type: 'reset' }, 'Clear'),
  );

  const columns = columnsOf(definition);
  const headings = el('tr', {});
  for (const column of columns) headings.append(el('th', { scope: 'col', class: column.className }, column.label));
  headings.append(el('th', { scope: 'col', class: 'actions' }, el('span', { class: 'visually-hidden' }, 'Full row')));
  const body = el('tbody', {});
  const status = el('p', { class: 'panel-status', role: 'status' });
  const olderButton = el('button', { type: 'button', class: 'older', hidden: '' }, 'Load older');
  const section = el(
    'section',
    { class: 'panel', id, 'aria-labelledby': `${id}-title`, 'data-panel': definition.name },
    el('h2', { id: `${id}-title` }, definition.title),
    el('p', { class: 'description' }, definition.description),
    form,
    status,
    el(
      'div',
      { class: 'table-wrap' },
      el('table', {}, el('caption', { class: 'visually-hidden' }, `${definition.title}, newest first`), el('thead', {}, headings), body),
    ),
    olderButton,
  );
  const panel: Panel = {
    definition,
    ids: new Set(),
    filters: { seam: '', since: '', until: '' },
    cursor: null,
    generation: 0,
    loading: true,
    pending: [],
    source: null,
    lastEventId: '',
    started: false,
    stopped: false,
    retry: undefined,
    trimmed: false,
    skipped: 0,
    columnCount: columns.length + 1,
    seamInput,
    sinceInput,
    untilInput,
    body,
    status,
    olderButton,
    section,
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    applyFilters(panel);
  });
  // The reset clears the inputs after this event; read them once it has.
  form.addEventListener('reset', () => setTimeout(() => applyFilters(panel), 0));
  olderButton.addEventListener('click', () => void load(panel, true));
  return panel;
}

function readTime(input: HTMLInputElement): string | null {
  if (input.value === '') return '';
  const date = new Date(input.value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function applyFilters(panel: Panel): void {
  const since = readTime(panel.sinceInput);
  const until = readTime(panel.untilInput);
  if (since === null || until === null) return setStatus(panel, 'Enter a complete date and time.', 'error');
  if (since !== '' && until !== '' && since >= until) return setStatus(panel, 'Since must be earlier than until.', 'error');
  panel.filters = { seam: panel.seamInput ? panel.seamInput.value : '', since, until };
  void load(panel, false);
}

function matches(panel: Panel, row: RowWire): boolean {
  const filters = panel.filters;
  if (!panel.definition.seams.includes(row.seam)) return false;
  if (filters.seam !== '' && row.seam !== filters.seam) return false;
  if (filters.since !== '' && row.emitted_at < filters.since) return false;
  if (filters.until !== '' && row.emitted_at >= filters.until) return false;
  return true;
}

function setStatus(panel: Panel, text: string, kind: 'info' | 'error' = 'info'): void {
  panel.status.textContent = text;
  panel.status.dataset.kind = kind;
}

function describePanel(panel: Panel): void {
  const count = panel.ids.size;
  let text = count === 1 ? '1 row' : `${count} rows`;
  if (panel.filters.seam !== '' || panel.filters.since !== '' || panel.filters.until !== '') text += ' matching the filters';
  if (panel.skipped > 0) text += `; ${panel.skipped} unreadable audit lines skipped`;
  if (panel.trimmed) text += `; showing the newest ${MAX_ROWS}, filter by time to see older rows`;
  setStatus(panel, text);
}

function isRow(value: unknown): value is RowWire {
  return isRecord(value) && typeof value.id === 'string' && typeof value.seam === 'string' && typeof value.emitted_at === 'string';
}

/** Load the newest page (older = false) or the page after the cursor. */
async function load(panel: Panel, older: boolean): Promise<void> {
  const generation = older ? panel.generation : ++panel.generation;
  const params = new URLSearchParams({ limit: String(PAGE_ROWS) });
  if (panel.filters.seam !== '') params.append('seam', panel.filters.seam);
  if (panel.filters.since !== '') params.set('since', panel.filters.since);
  if (panel.filters.until !== '') params.set('until', panel.filters.until);
  if (older) {
    if (panel.cursor === null) return;
    params.set('cursor', panel.cursor);
  } else {
    panel.loading = true;
  }
  panel.olderButton.disabled = true;
  setStatus(panel, 'Loading…');
  let result: PanelPageWire;
  try {
    const body = await callApi(`api/panels/${encodeURIComponent(panel.definition.name)}?${params.toString()}`);
    if (!isRecord(body) || !Array.isArray(body.rows)) throw new Error('the daemon sent rows in an unknown shape');
    result = body as unknown as PanelPageWire;
  } catch (error) {
    if (panel.stopped || generation !== panel.generation) return;
    if (error instanceof Unauthorized) return showLogin('Your session has ended; sign in again.');
    panel.loading = false;
    panel.olderButton.disabled = false;
    return setStatus(panel, `Could not load rows: ${messageOf(error)}`, 'error');
  }
  if (panel.stopped || generation !== panel.generation) return;
  if (!older) {
    panel.ids.clear();
    panel.body.replaceChildren();
    panel.skipped = 0;
    panel.trimmed = false;
  }
  for (const row of result.rows) {
    if (!isRow(row) || panel.ids.has(row.id)) continue;
    panel.ids.add(row.id);
    panel.body.append(buildRow(panel, row, false));
  }
  const skipped = result.skipped ?? {};
  panel.skipped += (skipped.malformed ?? 0) + (skipped.torn ?? 0) + (skipped.invalid ?? 0);
  panel.cursor = typeof result.next_cursor === 'string' ? result.next_cursor : null;
  panel.olderButton.hidden = panel.cursor === null;
  panel.olderButton.disabled = false;
  if (!older) {
    panel.loading = false;
    // Rows that arrived live while the page loaded, oldest first.
    for (const row of panel.pending.splice(0)) addLiveRow(panel, row);
  }
  showEmpty(panel);
  describePanel(panel);
}

function showEmpty(panel: Panel): void {
  const placeholder = panel.body.querySelector('tr.empty');
  if (panel.ids.size > 0) {
    placeholder?.remove();
  } else if (!placeholder) {
    panel.body.append(el('tr', { class: 'empty' }, el('td', { colspan: String(panel.columnCount) }, 'No rows.')));
  }
}

function addLiveRow(panel: Panel, row: RowWire): void {
  if (panel.ids.has(row.id) || !matches(panel, row)) return;
  panel.ids.add(row.id);
  const tr = buildRow(panel, row, true);
  panel.body.prepend(tr);
  setTimeout(() => tr.classList.remove('is-new'), HIGHLIGHT_MS);
  trim(panel);
  showEmpty(panel);
  describePanel(panel);
}

/** Keep the newest MAX_ROWS rows; once trimmed, the cursor no longer continues the list. */
function trim(panel: Panel): void {
  const rows = panel.body.querySelectorAll<HTMLTableRowElement>('tr[data-id]');
  for (let index = MAX_ROWS; index < rows.length; index += 1) {
    const row = rows[index];
    if (row === undefined) continue;
    const detail = row.nextElementSibling;
    if (detail?.classList.contains('json-row')) detail.remove();
    panel.ids.delete(row.dataset.id ?? '');
    row.remove();
    panel.trimmed = true;
  }
  if (panel.trimmed) {
    panel.cursor = null;
    panel.olderButton.hidden = true;
  }
}

/** A cell's text: long values end in an ellipsis on screen, and the whole value is the cell's title. */
function valueCell(label: string, className: string, value: unknown): HTMLTableCellElement {
  if (value === undefined || value === null) {
    return el('td', { class: className, 'data-label': label }, el('span', { class: 'none', title: 'not set' }, '—'));
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return el('td', { class: className, 'data-label': label, title: text }, el('span', { class: 'cell-text' }, text));
}

function formatRelative(iso: string): string {
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const size = Math.abs(seconds);
  if (size < 60) return relativeFormat.format(seconds, 'second');
  if (size < 3600) return relativeFormat.format(Math.round(seconds / 60), 'minute');
  if (size < 86400) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
  return relativeFormat.format(Math.round(seconds / 86400), 'day');
}

function buildRow(panel: Panel, row: RowWire, live: boolean): HTMLTableRowElement {
  const tr = el('tr', { 'data-id': row.id, 'data-seam': row.seam });
  if (live) {
    tr.dataset.arrived = 'live';
    tr.classList.add('is-new');
  }
  const when = new Date(row.emitted_at);
  const columns = columnsOf(panel.definition);
  tr.append(
    el(
      'td',
      { class: 'time', 'data-label': 'Time' },
      el('time', { datetime: row.emitted_at, title: `${row.emitted_at} (UTC)` }, timeFormat.format(when)),
      el('br', {}),
      el('span', { class: 'relative', 'data-at': row.emitted_at }, formatRelative(row.emitted_at)),
    ),
    el('td', { class: 'seam', 'data-label': 'Seam', title: row.seam }, el('code', {}, row.seam)),
  );
  panel.definition.columns.forEach((column, index) => {
    const key = own(column.keys, row.seam) ? column.keys[row.seam] : undefined;
    const value = key !== undefined && own(row.details, key) ? row.details[key] : undefined;
    tr.append(valueCell(column.label, columns[index + 2]?.className ?? 'main', value));
  });
  tr.append(valueCell('Caller session', 'session', row.caller_session_id));
  const toggle = el('button', { type: 'button', class: 'json-toggle', 'aria-expanded': 'false' }, 'JSON');
  toggle.addEventListener('click', () => toggleJson(panel, tr, toggle, row));
  tr.append(el('td', { class: 'actions' }, toggle));
  return tr;
}

function toggleJson(panel: Panel, tr: HTMLTableRowElement, toggle: HTMLButtonElement, row: RowWire): void {
  const next = tr.nextElementSibling;
  let detail = next instanceof HTMLTableRowElement && next.classList.contains('json-row') ? next : null;
  if (toggle.getAttribute('aria-expanded') === 'true') {
    if (detail) detail.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    return;
  }
  if (!detail) {
    const id = `json-${panel.definition.name}-${row.id}`;
    detail = el(
      'tr',
      { class: 'json-row', id },
      el('td', { colspan: String(panel.columnCount) }, el('pre', {}, JSON.stringify(row, null, 2))),
    );
    tr.after(detail);
    toggle.setAttribute('aria-controls', id);
  }
  detail.hidden = false;
  toggle.setAttribute('aria-expanded', 'true');
}

// ---- integrity -------------------------------------------------------------------------

function createIntegrity(): IntegrityView {
  const facts = el('dl', { class: 'facts' });
  const entry = (name: string, label: string): HTMLElement => {
    const value = el('dd', { 'data-field': name }, '…');
    facts.append(el('div', {}, el('dt', {}, label), value));
    return value;
  };
  const fields = {
    state: entry('state', 'Seal'),
    checkpoint: entry('checkpoint', 'Last checkpoint'),
    unsealed: entry('unsealed', 'Not yet sealed'),
    verification: entry('verification', 'Last verification'),
    checkpoints: entry('checkpoints', 'Checkpoints file'),
  };
  const section = el(
    'section',
    { class: 'panel integrity', id: 'integrity', 'aria-labelledby': 'integrity-title', 'data-state': 'loading' },
    el('h2', { id: 'integrity-title' }, 'Integrity'),
    el(
      'p',
      { class: 'description' },
      'The audit file sealed as Certificate Transparency seals its logs: signed checkpoints over a Merkle tree of its lines. kora-audit verify detects any change to a sealed line.',
    ),
    facts,
  );
  return { section, fields, stopped: false, timer: undefined };
}

function plural(count: number, one: string, many: string): string {
  return count === 1 ? `1 ${one}` : `${count} ${many}`;
}

function formatTime(iso: string): string {
  return `${timeFormat.format(new Date(iso))} (${formatRelative(iso)})`;
}

function showIntegrity(view: IntegrityView, status: SealStatusWire): void {
  const fields = view.fields;
  view.section.dataset.state = status.state;
  if (status.state === 'off') {
    fields.state.replaceChildren(
      'Off. To seal the audit file, set ',
      el('code', {}, 'KORA_AUDIT_SEAL_KEY'),
      ' to a private key from ',
      el('code', {}, 'kora-audit keygen'),
      ' (seal-key.pem) and restart the daemon.',
    );
  } else if (status.state === 'failed') {
    fields.state.replaceChildren(
      el('strong', { class: 'error' }, 'Failed: '),
      String(status.error ?? 'the audit file no longer matches its seal'),
      '. Nothing more is signed until the daemon restarts; run kora-audit verify.',
    );
  } else {
    fields.state.replaceChildren(status.error ? `Sealing (${String(status.error)})` : 'Sealing');
  }
  if (status.last_checkpoint_at) {
    const size = status.size ?? 0;
    fields.checkpoint.replaceChildren(
      el('data', { value: String(size) }, plural(size, 'line', 'lines')),
      `, signed ${formatTime(status.last_checkpoint_at)} by `,
      el('code', {}, String(status.key)),
    );
  } else {
    fields.checkpoint.replaceChildren(status.enabled ? 'None yet' : '—');
  }
  if (!status.enabled) fields.unsealed.replaceChildren('—');
  else if (status.unsealed_bytes === 0) fields.unsealed.replaceChildren('Nothing: every line is sealed');
  else {
    fields.unsealed.replaceChildren(
      `${plural(status.unsealed_bytes ?? 0, 'byte', 'bytes')} of the file, ${plural(status.lag_seconds ?? 0, 'second', 'seconds')} behind`,
    );
  }
  const check = status.open_check;
  if (!check) fields.verification.replaceChildren(status.enabled ? 'Checking…' : '—');
  else if (check.result === 'matched') {
    fields.verification.replaceChildren(
      `At start, ${formatTime(check.checked_at)}: the file matched its newest checkpoint (${plural(check.size ?? 0, 'line', 'lines')})`,
    );
  } else if (check.result === 'mismatch') {
    fields.verification.replaceChildren(
      el('strong', { class: 'error' }, `At start, ${formatTime(check.checked_at)}: the file did not match its seal`),
    );
  } else {
    fields.verification.replaceChildren(`At start, ${formatTime(check.checked_at)}: no earlier checkpoint to check against`);
  }
  fields.checkpoints.replaceChildren(status.checkpoints ? el('code', {}, String(status.checkpoints)) : '—');
}

async function refreshIntegrity(view: IntegrityView): Promise<void> {
  try {
    const status = await callApi('api/integrity');
    if (view.stopped) return;
    if (!isRecord(status) || typeof status.state !== 'string') throw new Error('the daemon sent it in an unknown shape');
    showIntegrity(view, status as unknown as SealStatusWire);
  } catch (error) {
    if (view.stopped) return;
    if (error instanceof Unauthorized) return showLogin('Your session has ended; sign in again.');
    view.fields.state.replaceChildren(`Could not load the seal status: ${messageOf(error)}`);
  }
  if (!view.stopped) view.timer = setTimeout(() => void refreshIntegrity(view), INTEGRITY_REFRESH_MS);
}

// ---- live updates ------------------------------------------------------------------------

function connect(panel: Panel): void {
  if (panel.stopped) return;
  let url = `api/panels/${encodeURIComponent(panel.definition.name)}/stream`;
  // A new EventSource does not send Last-Event-ID: say where to continue instead.
  if (panel.lastEventId !== '') url += `?after=${encodeURIComponent(panel.lastEventId)}`;
  const source = new EventSource(url);
  panel.source = source;
  const remember = (event: MessageEvent): void => {
    if (event.lastEventId) panel.lastEventId = event.lastEventId;
  };
  source.addEventListener('open', updateConnection);
  source.addEventListener('ready', (event) => {
    remember(event);
    updateConnection();
    // The stream follows from here, so the first page cannot miss a row written meanwhile.
    if (!panel.started) {
      panel.started = true;
      void load(panel, false);
    }
  });
  source.addEventListener('row', (event) => {
    remember(event);
    let row: unknown;
    try {
      row = JSON.parse(String(event.data));
    } catch {
      return;
    }
    if (!isRow(row)) return;
    chart?.notify();
    if (panel.loading) panel.pending.push(row);
    else addLiveRow(panel, row);
  });
  source.addEventListener('reset', (event) => {
    remember(event);
    void load(panel, false);
  });
  source.addEventListener('error', () => {
    if (panel.stopped) return;
    // A refused response (401, 400) closes an EventSource for good; network errors retry by themselves.
    if (source.readyState === EventSource.CLOSED) {
      panel.source = null;
      void recover(panel);
    }
    updateConnection();
  });
}

async function recover(panel: Panel): Promise<void> {
  try {
    const session = await callApi('api/session');
    if (isRecord(session) && session.signed_in !== true) return showLogin('Your session has ended; sign in again.');
  } catch {
    // The daemon is unreachable: keep retrying below.
  }
  if (!panel.stopped) panel.retry = setTimeout(() => connect(panel), RETRY_MS);
}

function updateConnection(): void {
  if (panels.length === 0) return setConnection('signed-out', 'Signed out');
  const states = panels.map((panel) => (panel.source ? panel.source.readyState : EventSource.CLOSED));
  if (states.every((state) => state === EventSource.OPEN)) setConnection('live', 'Live');
  else if (states.some((state) => state !== EventSource.CLOSED)) setConnection('connecting', 'Connecting…');
  else setConnection('offline', 'Disconnected');
}

setInterval(() => {
  for (const span of document.querySelectorAll<HTMLElement>('.relative[data-at]')) {
    span.textContent = formatRelative(span.dataset.at ?? '');
  }
}, RELATIVE_REFRESH_MS);

void start();
