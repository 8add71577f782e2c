import uPlot from 'uplot';
import { Unauthorized, callApi, isRecord } from './call-api.js';
import { el } from './create-element.js';
import type { ActivityWire, SeamActivityWire } from './wire-types.js';

// The window the chart shows and the width of one bar of it.
const WINDOW_MINUTES = 60;
const BUCKET_SECONDS = 60;
const HEIGHT = 220;
// Live rows ask for a redraw; at most one request per this long.
const REFRESH_AFTER_ROW_MS = 1000;
// The window slides even when nothing happens.
const SLIDE_MS = 30_000;
const SEAM_COLOURS = ['#1f77b4', '#2ca02c', '#9467bd', '#17becf', '#8c564b', '#7f7f7f'];
const DENIED_COLOUR = '#d97706';
const FAILED_COLOUR = '#dc2626';
const AXIS_COLOUR = '#8b949e';
const GRID_COLOUR = 'rgba(139, 148, 158, 0.25)';

/** The activity chart section: calls per seam per minute, denied and failed calls marked. */
export interface ActivityChart {
  readonly section: HTMLElement;
  /** Read the activity again soon: a live row has come. */
  notify(): void;
  /** Stop refreshing and free the chart. */
  stop(): void;
}

/**
 * The chart above the panels. It reads `api/activity` once now, again shortly after live rows
 * arrive (see {@link ActivityChart.notify}) and every 30 s so the window slides. The section's
 * `data-total`, `data-denied` and `data-failed` hold the window's sums, for scripts and tests.
 */
export function createActivityChart(onUnauthorized: () => void): ActivityChart {
  const summary = el('p', { class: 'chart-summary', role: 'status' }, 'Loading…');
  const plotArea = el('div', { class: 'chart-plot' });
  const section = el(
    'section',
    { class: 'panel activity', id: 'activity', 'aria-labelledby': 'activity-title', 'data-state': 'loading' },
    el('h2', { id: 'activity-title' }, 'Activity'),
    el(
      'p',
      { class: 'description' },
      `Calls per seam per minute over the last ${WINDOW_MINUTES} minutes; orange rings count denied or rejected calls, red dots failed ones.`,
    ),
    summary,
    plotArea,
  );
  let plot: uPlot | undefined;
  let plotSeams = '';
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let due = false;
  let reading = false;

  const resize = new ResizeObserver(() => {
    if (plot !== undefined) plot.setSize({ width: plotWidth(plotArea), height: HEIGHT });
  });
  resize.observe(plotArea);

  function schedule(delayMs: number): void {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), delayMs);
  }

  async function refresh(): Promise<void> {
    if (stopped) return;
    if (reading) {
      due = true;
      return;
    }
    reading = true;
    due = false;
    try {
      const params = new URLSearchParams({ minutes: String(WINDOW_MINUTES), bucket: String(BUCKET_SECONDS) });
      const body = await callApi(`api/activity?${params.toString()}`);
      if (stopped) return;
      const activity = readActivity(body);
      if (activity === undefined) throw new Error('the daemon sent activity in an unknown shape');
      draw(activity);
    } catch (error) {
      if (stopped) return;
      if (error instanceof Unauthorized) {
        onUnauthorized();
        return;
      }
      section.dataset.state = 'error';
      summary.textContent = `Could not load the activity: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      reading = false;
    }
    if (stopped) return;
    schedule(due ? REFRESH_AFTER_ROW_MS : SLIDE_MS);
  }

  function draw(activity: ActivityWire): void {
    const denied = sumBuckets(activity.seams, 'denied', activity.times.length);
    const failed = sumBuckets(activity.seams, 'failed', activity.times.length);
    const total = sumBuckets(activity.seams, 'total', activity.times.length);
    const sums = { total: sum(total), denied: sum(denied), failed: sum(failed) };
    section.dataset.state = 'ready';
    section.dataset.total = String(sums.total);
    section.dataset.denied = String(sums.denied);
    section.dataset.failed = String(sums.failed);
    summary.textContent =
      `Last ${WINDOW_MINUTES} minutes: ${plural(sums.total, 'call')}, ${sums.denied} denied, ${sums.failed} failed` +
      (activity.truncated ? ' (the newest rows only: too many to count)' : '');

    const data: uPlot.AlignedData = [
      [...activity.times],
      ...activity.seams.map((seam) => [...seam.total]),
      // Zero is no mark at all.
      denied.map((count) => (count === 0 ? null : count)),
      failed.map((count) => (count === 0 ? null : count)),
    ];
    const seams = activity.seams.map((seam) => seam.seam).join(',');
    if (plot !== undefined && seams === plotSeams) {
      plot.setData(data);
      return;
    }
    plot?.destroy();
    plotSeams = seams;
    plot = new uPlot(chartOptions(activity.seams, plotWidth(plotArea)), data, plotArea);
  }

  void refresh();
  return {
    section,
    notify() {
      if (stopped) return;
      if (reading) due = true;
      else schedule(REFRESH_AFTER_ROW_MS);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      resize.disconnect();
      plot?.destroy();
      plot = undefined;
    },
  };
}

function chartOptions(seams: readonly SeamActivityWire[], width: number): uPlot.Options {
  const axis: uPlot.Axis = { stroke: AXIS_COLOUR, grid: { stroke: GRID_COLOUR, width: 1 }, ticks: { stroke: GRID_COLOUR, width: 1 } };
  // Points only: a mark on each minute with such calls, at their count. Denied is a ring and
  // failed a dot, so a minute with as many of each shows both.
  const marks = (label: string, colour: string, ring: boolean): uPlot.Series => ({
    label,
    stroke: colour,
    paths: () => null,
    points: ring
      ? { show: true, size: 14, width: 2.5, stroke: colour, fill: 'transparent' }
      : { show: true, size: 7, width: 1, stroke: colour, fill: colour },
  });
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: true }, y: { range: (_plot, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
    axes: [axis, { ...axis, size: 40 }],
    series: [
      {},
      ...seams.map((seam, index): uPlot.Series => ({
        label: seam.seam,
        stroke: SEAM_COLOURS[index % SEAM_COLOURS.length] ?? AXIS_COLOUR,
        width: 2,
        points: { show: false },
      })),
      marks('Denied', DENIED_COLOUR, true),
      marks('Failed', FAILED_COLOUR, false),
    ],
    cursor: { drag: { x: false, y: false } },
  };
}

function plotWidth(area: HTMLElement): number {
  return Math.max(200, Math.floor(area.clientWidth));
}

function sumBuckets(seams: readonly SeamActivityWire[], field: 'total' | 'denied' | 'failed', length: number): number[] {
  const sums = new Array<number>(length).fill(0);
  for (const seam of seams) {
    seam[field].forEach((count, index) => {
      sums[index] = (sums[index] ?? 0) + count;
    });
  }
  return sums;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function plural(count: number, noun: string): string {
  return count === 1 ? `1 ${noun}` : `${count} ${noun}s`;
}

function isCounts(value: unknown, length: number): value is number[] {
  return Array.isArray(value) && value.length === length && value.every((count) => Number.isSafeInteger(count) && (count as number) >= 0);
}

/** The activity body, or undefined when it is not in the shape this page knows. */
function readActivity(body: unknown): ActivityWire | undefined {
  if (!isRecord(body) || !Array.isArray(body.times) || !Array.isArray(body.seams)) return undefined;
  const length = body.times.length;
  if (!body.times.every((time) => Number.isFinite(time))) return undefined;
  const seams = body.seams.every(
    (seam) =>
      isRecord(seam) &&
      typeof seam.seam === 'string' &&
      isCounts(seam.total, length) &&
      isCounts(seam.denied, length) &&
      isCounts(seam.failed, length),
  );
  if (!seams || typeof body.bucket_seconds !== 'number') return undefined;
  return body as unknown as ActivityWire;
}
