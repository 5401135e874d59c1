/**
 * The endpoint's last hours as a small inline SVG (no chart library; the CSP allows no inline style, so
 * colours come from classes in styles.css): a bar an hour of delivered with failed stacked on it, and
 * the backlog as a line on its own scale. Named for assistive technology, with the totals as text.
 */
import type { EndpointActivity } from './api';

type Hour = EndpointActivity['hours'][number];

const WIDTH = 480;
const HEIGHT = 120;
/** Room under the bars for the first and last hour's labels. */
const AXIS = 16;

const count = (n: number) => n.toLocaleString('en');

function hourLabel(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** "last 24 h: 1,234 delivered, 5 failed, backlog peak 40" — what the chart shows, as one sentence. */
function activitySummary(hours: readonly Hour[]): string {
  const delivered = hours.reduce((sum, h) => sum + h.delivered, 0);
  const failed = hours.reduce((sum, h) => sum + h.failed, 0);
  const peak = Math.max(0, ...hours.map((h) => h.backlog));
  return `last ${hours.length} h: ${count(delivered)} delivered, ${count(failed)} failed, backlog peak ${count(peak)}`;
}

function ActivityChart({ activity }: { activity: EndpointActivity }) {
  const hours = activity.hours;
  const summary = activitySummary(hours);
  const plot = HEIGHT - AXIS;
  const slot = WIDTH / Math.max(1, hours.length);
  const top = Math.max(1, ...hours.map((h) => h.delivered + h.failed));
  const backlogTop = Math.max(1, ...hours.map((h) => h.backlog));
  const y = (n: number, max: number) => plot - (n / max) * (plot - 4);
  const line = hours.map((h, i) => `${(i + 0.5) * slot},${y(h.backlog, backlogTop)}`).join(' ');
  return (
    <figure class="activity">
      <svg
        class="activity-chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby="activity-title activity-desc"
      >
        <title id="activity-title">Activity of the last {hours.length} hours</title>
        <desc id="activity-desc">
          {summary}. One bar an hour: delivered, with failed on top; the line is the backlog, on its own
          scale.
        </desc>
        <line class="axis" x1="0" y1={plot} x2={WIDTH} y2={plot} />
        {hours.map((h, i) => {
          const x = i * slot + slot * 0.15;
          const w = slot * 0.7;
          return (
            <g key={h.hour}>
              <title>
                {hourLabel(h.hour)}: {count(h.delivered)} delivered, {count(h.failed)} failed, backlog{' '}
                {count(h.backlog)}
              </title>
              {h.delivered > 0 ? (
                <rect
                  class="delivered"
                  x={x}
                  y={y(h.delivered, top)}
                  width={w}
                  height={plot - y(h.delivered, top)}
                />
              ) : null}
              {h.failed > 0 ? (
                <rect
                  class="failed"
                  x={x}
                  y={y(h.delivered + h.failed, top)}
                  width={w}
                  height={y(h.delivered, top) - y(h.delivered + h.failed, top)}
                />
              ) : null}
            </g>
          );
        })}
        {hours.some((h) => h.backlog > 0) ? <polyline class="backlog" points={line} /> : null}
        <text class="tick" x="0" y={HEIGHT - 3}>
          {hours.length} h ago
        </text>
        <text class="tick end" x={WIDTH} y={HEIGHT - 3}>
          now
        </text>
      </svg>
      <figcaption>
        <span class="key delivered">delivered</span> <span class="key failed">failed</span>{' '}
        <span class="key backlog">backlog (own scale)</span>
        <p class="help" role="note" aria-label="Activity summary">
          {summary}. Counted by each delivery function and written about once a minute: a chart, not the
          delivery record.
        </p>
      </figcaption>
    </figure>
  );
}

export { ActivityChart };
