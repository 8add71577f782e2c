/** The panels page's stylesheet: system fonts, light and dark, no external resources. */
export const PANEL_PAGE_STYLE = `:root {
  color-scheme: light dark;
  --text: #1b1f24;
  --muted: #5b6570;
  --background: #ffffff;
  --surface: #f4f6f8;
  --border: #d0d7de;
  --accent: #1f4e79;
  --error: #b42318;
  --live: #1a7f37;
  --warning: #9a6700;
  --highlight: #fff3b0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  font-size: 15px;
}
@media (prefers-color-scheme: dark) {
  :root {
    --text: #e6edf3;
    --muted: #9aa6b2;
    --background: #0d1117;
    --surface: #161b22;
    --border: #30363d;
    --accent: #6cb6ff;
    --error: #ff7b72;
    --live: #3fb950;
    --warning: #d29922;
    --highlight: #4d3b00;
  }
}
* { box-sizing: border-box; }
body { margin: 0; color: var(--text); background: var(--background); }
code, pre, td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.87rem; }
button, input, select { font: inherit; }
button {
  padding: 0.3rem 0.8rem;
  border: 1px solid var(--border);
  border-radius: 6px;
  background: var(--surface);
  color: var(--text);
  cursor: pointer;
}
button:hover { border-color: var(--accent); }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
input, select {
  padding: 0.25rem 0.4rem;
  border: 1px solid var(--border);
  border-radius: 6px;
  background: var(--background);
  color: var(--text);
}
.top {
  display: flex;
  align-items: center;
  gap: 1rem;
  padding: 0.8rem 1.5rem;
  border-bottom: 1px solid var(--border);
  background: var(--surface);
}
.top h1 { margin: 0; font-size: 1.2rem; flex: 1; }
.connection { margin: 0; font-weight: 600; }
.connection::before {
  content: "";
  display: inline-block;
  width: 0.6rem;
  height: 0.6rem;
  margin-right: 0.4rem;
  border-radius: 50%;
  background: var(--muted);
}
.connection[data-state="live"]::before { background: var(--live); }
.connection[data-state="connecting"]::before { background: var(--warning); }
.connection[data-state="offline"]::before { background: var(--error); }
main { padding: 1rem 1.5rem 3rem; }
.login { max-width: 28rem; }
.login form { display: grid; gap: 0.5rem; }
.hint, .description, .panel-status { color: var(--muted); }
.error { color: var(--error); min-height: 1.2em; }
.panel { margin-bottom: 2.5rem; }
.panel h2 { margin: 0 0 0.2rem; font-size: 1.1rem; }
.panel .description { margin: 0 0 0.6rem; }
.filters { display: flex; flex-wrap: wrap; align-items: end; gap: 0.6rem 1rem; margin-bottom: 0.5rem; }
.filters label { display: grid; gap: 0.15rem; font-size: 0.85rem; color: var(--muted); }
.panel-status { margin: 0.3rem 0; font-size: 0.85rem; }
.panel-status[data-kind="error"] { color: var(--error); }
.table-wrap { overflow-x: auto; border: 1px solid var(--border); border-radius: 6px; }
/* Fixed layout: the columns share the window's width, whatever the cells hold. */
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th {
  position: sticky;
  top: 0;
  padding: 0.4rem 0.6rem;
  text-align: left;
  font-size: 0.8rem;
  color: var(--muted);
  background: var(--surface);
  border-bottom: 1px solid var(--border);
  white-space: nowrap;
  overflow: hidden;
  text-overflow: ellipsis;
}
th.time { width: 8.5rem; }
th.seam { width: 13.5rem; }
th.session { width: 11rem; }
th.minor { width: 6.5rem; }
th.actions { width: 5.2rem; }
/* The JSON button is never cut short. */
td.actions { overflow: visible; text-overflow: clip; }
/* A long value ends in an ellipsis; the cell's title holds all of it. */
td {
  padding: 0.35rem 0.6rem;
  border-bottom: 1px solid var(--border);
  vertical-align: top;
  white-space: nowrap;
  overflow: hidden;
  text-overflow: ellipsis;
}
tbody tr:last-child td { border-bottom: 0; }
/* Date, time and how long ago, each on its own line when the column is narrow. */
td.time { white-space: normal; }
.relative { color: var(--muted); font-size: 0.8rem; }
.none { color: var(--muted); }
tr.is-new td { animation: arrived 3s ease-out; }
@keyframes arrived { from { background: var(--highlight); } to { background: transparent; } }
.json-row td { background: var(--surface); white-space: normal; }
.json-row pre { margin: 0; max-height: 24rem; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.empty td { color: var(--muted); font-family: inherit; text-align: center; padding: 1rem; }
.older { margin-top: 0.5rem; }
.activity .chart-summary { margin: 0 0 0.4rem; font-size: 0.9rem; }
.chart-plot { width: 100%; min-width: 0; overflow: hidden; }
.chart-plot .u-legend { font-size: 0.8rem; text-align: left; }
.chart-plot .u-legend th { position: static; background: none; border: 0; padding: 0 0.3rem 0 0; color: var(--text); }
.chart-plot .u-legend td { border: 0; padding: 0 0.3rem 0 0; font-family: inherit; }
/* Less important columns give way first. */
@media (max-width: 1100px) {
  th.minor, td.minor { display: none; }
  th.seam { width: 11.5rem; }
  th.session { width: 10rem; }
}
/* Phones: each row becomes a card of label and value lines. */
@media (max-width: 640px) {
  main { padding: 0.8rem 0.8rem 2rem; }
  .top { padding: 0.6rem 0.8rem; flex-wrap: wrap; gap: 0.4rem 1rem; }
  .table-wrap { overflow: visible; border: 0; }
  .table-wrap table, .table-wrap tbody, .table-wrap tr { display: block; width: 100%; }
  .table-wrap thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  .table-wrap tr[data-id] { border: 1px solid var(--border); border-radius: 6px; margin-bottom: 0.6rem; padding: 0.3rem 0.6rem; }
  .table-wrap td, .table-wrap td.minor { display: flex; gap: 0.6rem; padding: 0.15rem 0; border: 0; min-width: 0; }
  .table-wrap td::before { content: attr(data-label); flex: 0 0 7.5rem; color: var(--muted); font-family: system-ui, sans-serif; font-size: 0.8rem; }
  .table-wrap td > * { min-width: 0; overflow: hidden; text-overflow: ellipsis; }
  .table-wrap td.time br { display: none; }
  .table-wrap td.actions::before, .json-row td::before, .empty td::before { content: none; }
  .json-row td, .empty td { display: block; }
}
.facts { display: grid; gap: 0.3rem; margin: 0; }
.facts div { display: grid; grid-template-columns: 11rem 1fr; gap: 1rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.integrity[data-state="failed"] { border-left: 4px solid var(--error); padding-left: 0.8rem; }
.visually-hidden {
  position: absolute;
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip-path: inset(50%);
  white-space: nowrap;
}
@media (prefers-reduced-motion: reduce) {
  tr.is-new td { animation: none; background: var(--highlight); }
}
@media (max-width: 640px) {
  .facts div { grid-template-columns: 1fr; gap: 0; }
}
`;
