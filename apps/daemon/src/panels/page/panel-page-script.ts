/**
 * The panels page's script, served as `/assets/panels.js` so the Content-Security-Policy can
 * forbid inline script. Plain browser JavaScript, no build step. Every value from a row is
 * put into the page as text (`append` of strings, `textContent`), never parsed as HTML.
 */
export const PANEL_PAGE_SCRIPT = String.raw`'use strict';
(() => {
  // How many rows one panel keeps on screen; live rows push the oldest out past this.
  const MAX_ROWS = 1000;
  const PAGE_ROWS = 50;
  const RETRY_MS = 3000;
  const HIGHLIGHT_MS = 4000;
  const RELATIVE_REFRESH_MS = 15000;
  const INTEGRITY_REFRESH_MS = 3000;

  const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
  const timeFormat = new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });

  const page = {
    connection: document.getElementById('connection'),
    login: document.getElementById('login'),
    loginForm: document.getElementById('login-form'),
    token: document.getElementById('token'),
    loginError: document.getElementById('login-error'),
    logout: document.getElementById('logout'),
    error: document.getElementById('page-error'),
    panels: document.getElementById('panels'),
  };
  let panels = [];
  let integrity = null;

  class Unauthorized extends Error {}

  /** Call the JSON API; a 401 becomes Unauthorized, other failures an Error with the server's message. */
  async function api(path, init) {
    const headers = Object.assign({ accept: 'application/json' }, init && init.headers);
    const response = await fetch(path, Object.assign({}, init, { headers, credentials: 'same-origin', cache: 'no-store' }));
    if (response.status === 401) throw new Unauthorized('unauthorized');
    if (response.status === 204) return null;
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(body && typeof body.message === 'string' ? body.message : 'HTTP ' + response.status);
    return body;
  }

  /** Make an element; attributes are set as attributes, children appended as nodes or text. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    node.append(...children);
    return node;
  }

  function own(object, key) {
    return object !== null && typeof object === 'object' && Object.prototype.hasOwnProperty.call(object, key);
  }

  function setConnection(state, label) {
    page.connection.dataset.state = state;
    page.connection.textContent = label;
  }

  function showError(message) {
    page.error.hidden = message === '';
    page.error.textContent = message;
  }

  // ---- sign-in -------------------------------------------------------------------------

  function showLogin(message) {
    stopPanels();
    page.panels.replaceChildren();
    page.logout.hidden = true;
    page.login.hidden = false;
    page.loginError.textContent = message || '';
    setConnection('signed-out', 'Signed out');
    page.token.focus();
  }

  page.loginForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    page.loginError.textContent = '';
    try {
      await api('api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: page.token.value }),
      });
    } catch (error) {
      page.loginError.textContent = error instanceof Unauthorized ? 'That token was not accepted.' : 'Sign-in failed: ' + error.message;
      return;
    }
    page.token.value = '';
    await showPanels();
  });

  page.logout.addEventListener('click', async () => {
    try {
      await api('api/session', { method: 'DELETE' });
    } catch (error) {
      // Signed out locally either way; the session also ends on its own.
    }
    showLogin('');
  });

  async function start() {
    let session;
    try {
      session = await api('api/session');
    } catch (error) {
      showError('Could not reach the daemon: ' + error.message);
      return;
    }
    if (session.signed_in) await showPanels();
    else showLogin('');
  }

  // ---- panels ----------------------------------------------------------------------------

  async function showPanels() {
    let list;
    try {
      list = await api('api/panels');
    } catch (error) {
      if (error instanceof Unauthorized) showLogin('');
      else showError('Could not load the panels: ' + error.message);
      return;
    }
    showError('');
    stopPanels();
    page.login.hidden = true;
    page.logout.hidden = false;
    panels = list.panels.map(createPanel);
    integrity = createIntegrity();
    page.panels.replaceChildren(integrity.section, ...panels.map((panel) => panel.section));
    void refreshIntegrity(integrity);
    for (const panel of panels) connect(panel);
    updateConnection();
  }

  function stopPanels() {
    if (integrity) {
      integrity.stopped = true;
      clearTimeout(integrity.timer);
      integrity = null;
    }
    for (const panel of panels) {
      panel.stopped = true;
      clearTimeout(panel.retry);
      if (panel.source) panel.source.close();
      panel.source = null;
    }
    panels = [];
  }

  function field(id, label, control) {
    return el('label', { for: id }, label, control);
  }

  function createPanel(definition) {
    const id = 'panel-' + definition.name;
    const panel = {
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
      retry: 0,
      trimmed: false,
      skipped: 0,
      columnCount: definition.columns.length + 4,
    };

    const form = el('form', { class: 'filters', 'aria-label': definition.title + ' filters' });
    if (definition.seams.length > 1) {
      panel.seamInput = el('select', { id: id + '-seam', name: 'seam' }, el('option', { value: '' }, 'All seams'));
      for (const seam of definition.seams) panel.seamInput.append(el('option', { value: seam }, seam));
      form.append(field(id + '-seam', 'Seam', panel.seamInput));
    }
    panel.sinceInput = el('input', { id: id + '-since', name: 'since', type: 'datetime-local', step: '1' });
    panel.untilInput = el('input', { id: id + '-until', name: 'until', type: 'datetime-local', step: '1' });
    form.append(
      field(id + '-since', 'Since', panel.sinceInput),
      field(id + '-until', 'Until', panel.untilInput),
      el('button', { type: 'submit' }, 'Apply'),
      el('button', { type: 'reset' }, 'Clear'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      applyFilters(panel);
    });
    // The reset clears the inputs after this event; read them once it has.
    form.addEventListener('reset', () => setTimeout(() => applyFilters(panel), 0));

    const headings = el('tr', {});
    for (const label of ['Time', 'Seam'].concat(definition.columns.map((column) => column.label), ['Caller session'])) {
      headings.append(el('th', { scope: 'col' }, label));
    }
    headings.append(el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Full row')));
    panel.body = el('tbody', {});
    panel.status = el('p', { class: 'panel-status', role: 'status' });
    panel.olderButton = el('button', { type: 'button', class: 'older', hidden: '' }, 'Load older');
    panel.olderButton.addEventListener('click', () => load(panel, true));

    panel.section = el(
      'section',
      { class: 'panel', id, 'aria-labelledby': id + '-title', 'data-panel': definition.name },
      el('h2', { id: id + '-title' }, definition.title),
      el('p', { class: 'description' }, definition.description),
      form,
      panel.status,
      el(
        'div',
        { class: 'table-wrap' },
        el(
          'table',
          {},
          el('caption', { class: 'visually-hidden' }, definition.title + ', newest first'),
          el('thead', {}, headings),
          panel.body,
        ),
      ),
      panel.olderButton,
    );
    return panel;
  }

  function readTime(input) {
    if (input.value === '') return '';
    const date = new Date(input.value);
    return Number.isNaN(date.getTime()) ? null : date.toISOString();
  }

  function applyFilters(panel) {
    const since = readTime(panel.sinceInput);
    const until = readTime(panel.untilInput);
    if (since === null || until === null) return setStatus(panel, 'Enter a complete date and time.', 'error');
    if (since !== '' && until !== '' && since >= until) return setStatus(panel, 'Since must be earlier than until.', 'error');
    panel.filters = { seam: panel.seamInput ? panel.seamInput.value : '', since, until };
    void load(panel, false);
  }

  function matches(panel, row) {
    const filters = panel.filters;
    if (!panel.definition.seams.includes(row.seam)) return false;
    if (filters.seam !== '' && row.seam !== filters.seam) return false;
    if (filters.since !== '' && row.emitted_at < filters.since) return false;
    if (filters.until !== '' && row.emitted_at >= filters.until) return false;
    return true;
  }

  function setStatus(panel, text, kind) {
    panel.status.textContent = text;
    panel.status.dataset.kind = kind || 'info';
  }

  function describePanel(panel) {
    const count = panel.ids.size;
    let text = count === 1 ? '1 row' : count + ' rows';
    if (panel.filters.seam !== '' || panel.filters.since !== '' || panel.filters.until !== '') text += ' matching the filters';
    if (panel.skipped > 0) text += '; ' + panel.skipped + ' unreadable audit lines skipped';
    if (panel.trimmed) text += '; showing the newest ' + MAX_ROWS + ', filter by time to see older rows';
    setStatus(panel, text, 'info');
  }

  /** Load the newest page (older = false) or the page after the cursor. */
  async function load(panel, older) {
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
    setStatus(panel, 'Loading…', 'info');
    let result;
    try {
      result = await api('api/panels/' + encodeURIComponent(panel.definition.name) + '?' + params.toString());
    } catch (error) {
      if (panel.stopped || generation !== panel.generation) return;
      if (error instanceof Unauthorized) return showLogin('Your session has ended; sign in again.');
      panel.loading = false;
      panel.olderButton.disabled = false;
      return setStatus(panel, 'Could not load rows: ' + error.message, 'error');
    }
    if (panel.stopped || generation !== panel.generation) return;
    if (!older) {
      panel.ids.clear();
      panel.body.replaceChildren();
      panel.skipped = 0;
      panel.trimmed = false;
    }
    for (const row of result.rows) {
      if (panel.ids.has(row.id)) continue;
      panel.ids.add(row.id);
      panel.body.append(buildRow(panel, row, false));
    }
    const skipped = result.skipped || {};
    panel.skipped += (skipped.malformed || 0) + (skipped.torn || 0) + (skipped.invalid || 0);
    panel.cursor = result.next_cursor;
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

  function showEmpty(panel) {
    const placeholder = panel.body.querySelector('tr.empty');
    if (panel.ids.size > 0) {
      if (placeholder) placeholder.remove();
    } else if (!placeholder) {
      panel.body.append(el('tr', { class: 'empty' }, el('td', { colspan: String(panel.columnCount) }, 'No rows.')));
    }
  }

  function addLiveRow(panel, row) {
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
  function trim(panel) {
    const rows = panel.body.querySelectorAll('tr[data-id]');
    for (let index = MAX_ROWS; index < rows.length; index += 1) {
      const row = rows[index];
      const detail = row.nextElementSibling;
      if (detail && detail.classList.contains('json-row')) detail.remove();
      panel.ids.delete(row.dataset.id);
      row.remove();
      panel.trimmed = true;
    }
    if (panel.trimmed) {
      panel.cursor = null;
      panel.olderButton.hidden = true;
    }
  }

  function formatValue(value) {
    if (value === undefined || value === null) return el('span', { class: 'none', title: 'not set' }, '—');
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  function formatRelative(iso) {
    const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
    const size = Math.abs(seconds);
    if (size < 60) return relativeFormat.format(seconds, 'second');
    if (size < 3600) return relativeFormat.format(Math.round(seconds / 60), 'minute');
    if (size < 86400) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
    return relativeFormat.format(Math.round(seconds / 86400), 'day');
  }

  function buildRow(panel, row, live) {
    const tr = el('tr', { 'data-id': row.id, 'data-seam': row.seam });
    if (live) {
      tr.dataset.arrived = 'live';
      tr.classList.add('is-new');
    }
    const when = new Date(row.emitted_at);
    tr.append(
      el(
        'td',
        { class: 'time' },
        el('time', { datetime: row.emitted_at, title: row.emitted_at + ' (UTC)' }, timeFormat.format(when)),
        el('br', {}),
        el('span', { class: 'relative', 'data-at': row.emitted_at }, formatRelative(row.emitted_at)),
      ),
      el('td', {}, el('code', {}, row.seam)),
    );
    for (const column of panel.definition.columns) {
      const key = own(column.keys, row.seam) ? column.keys[row.seam] : undefined;
      const value = key !== undefined && own(row.details, key) ? row.details[key] : undefined;
      tr.append(el('td', {}, formatValue(value)));
    }
    tr.append(el('td', { class: 'session' }, formatValue(row.caller_session_id)));
    const toggle = el('button', { type: 'button', class: 'json-toggle', 'aria-expanded': 'false' }, 'JSON');
    toggle.addEventListener('click', () => toggleJson(panel, tr, toggle, row));
    tr.append(el('td', {}, toggle));
    return tr;
  }

  function toggleJson(panel, tr, toggle, row) {
    const next = tr.nextElementSibling;
    let detail = next && next.classList.contains('json-row') ? next : null;
    if (toggle.getAttribute('aria-expanded') === 'true') {
      if (detail) detail.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      return;
    }
    if (!detail) {
      const id = 'json-' + panel.definition.name + '-' + row.id;
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

  function createIntegrity() {
    const facts = el('dl', { class: 'facts' });
    const fields = {};
    for (const [name, label] of [
      ['state', 'Seal'],
      ['checkpoint', 'Last checkpoint'],
      ['unsealed', 'Not yet sealed'],
      ['verification', 'Last verification'],
      ['checkpoints', 'Checkpoints file'],
    ]) {
      fields[name] = el('dd', { 'data-field': name }, '…');
      facts.append(el('div', {}, el('dt', {}, label), fields[name]));
    }
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
    return { section, fields, stopped: false, timer: 0 };
  }

  function plural(count, one, many) {
    return count === 1 ? '1 ' + one : count + ' ' + many;
  }

  function formatTime(iso) {
    return timeFormat.format(new Date(iso)) + ' (' + formatRelative(iso) + ')';
  }

  function showIntegrity(view, status) {
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
        String(status.error || 'the audit file no longer matches its seal'),
        '. Nothing more is signed until the daemon restarts; run kora-audit verify.',
      );
    } else {
      fields.state.replaceChildren(status.error ? 'Sealing (' + String(status.error) + ')' : 'Sealing');
    }
    if (status.last_checkpoint_at) {
      fields.checkpoint.replaceChildren(
        el('data', { value: String(status.size) }, plural(status.size, 'line', 'lines')),
        ', signed ' + formatTime(status.last_checkpoint_at) + ' by ',
        el('code', {}, String(status.key)),
      );
    } else {
      fields.checkpoint.replaceChildren(status.enabled ? 'None yet' : '—');
    }
    if (!status.enabled) fields.unsealed.replaceChildren('—');
    else if (status.unsealed_bytes === 0) fields.unsealed.replaceChildren('Nothing: every line is sealed');
    else {
      fields.unsealed.replaceChildren(
        plural(status.unsealed_bytes, 'byte', 'bytes') + ' of the file, ' + plural(status.lag_seconds, 'second', 'seconds') + ' behind',
      );
    }
    const check = status.open_check;
    if (!check) fields.verification.replaceChildren(status.enabled ? 'Checking…' : '—');
    else if (check.result === 'matched') {
      fields.verification.replaceChildren(
        'At start, ' + formatTime(check.checked_at) + ': the file matched its newest checkpoint (' + plural(check.size, 'line', 'lines') + ')',
      );
    } else if (check.result === 'mismatch') {
      fields.verification.replaceChildren(el('strong', { class: 'error' }, 'At start, ' + formatTime(check.checked_at) + ': the file did not match its seal'));
    } else {
      fields.verification.replaceChildren('At start, ' + formatTime(check.checked_at) + ': no earlier checkpoint to check against');
    }
    fields.checkpoints.replaceChildren(status.checkpoints ? el('code', {}, String(status.checkpoints)) : '—');
  }

  async function refreshIntegrity(view) {
    try {
      const status = await api('api/integrity');
      if (view.stopped) return;
      showIntegrity(view, status);
    } catch (error) {
      if (view.stopped) return;
      if (error instanceof Unauthorized) return showLogin('Your session has ended; sign in again.');
      view.fields.state.replaceChildren('Could not load the seal status: ' + error.message);
    }
    if (!view.stopped) view.timer = setTimeout(() => refreshIntegrity(view), INTEGRITY_REFRESH_MS);
  }

  // ---- live updates ------------------------------------------------------------------------

  function connect(panel) {
    if (panel.stopped) return;
    let url = 'api/panels/' + encodeURIComponent(panel.definition.name) + '/stream';
    // A new EventSource does not send Last-Event-ID: say where to continue instead.
    if (panel.lastEventId !== '') url += '?after=' + encodeURIComponent(panel.lastEventId);
    const source = new EventSource(url);
    panel.source = source;
    const remember = (event) => {
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
      let row;
      try {
        row = JSON.parse(event.data);
      } catch (error) {
        return;
      }
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

  async function recover(panel) {
    try {
      const session = await api('api/session');
      if (!session.signed_in) return showLogin('Your session has ended; sign in again.');
    } catch (error) {
      // The daemon is unreachable: keep retrying below.
    }
    if (!panel.stopped) panel.retry = setTimeout(() => connect(panel), RETRY_MS);
  }

  function updateConnection() {
    if (panels.length === 0) return setConnection('signed-out', 'Signed out');
    const states = panels.map((panel) => (panel.source ? panel.source.readyState : EventSource.CLOSED));
    if (states.every((state) => state === EventSource.OPEN)) setConnection('live', 'Live');
    else if (states.some((state) => state !== EventSource.CLOSED)) setConnection('connecting', 'Connecting…');
    else setConnection('offline', 'Disconnected');
  }

  setInterval(() => {
    for (const span of document.querySelectorAll('.relative[data-at]')) span.textContent = formatRelative(span.dataset.at);
  }, RELATIVE_REFRESH_MS);

  void start();
})();
`;
