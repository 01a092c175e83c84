/**
 * The Charts tab (uPlot, loaded with this tab): the last 15 minutes of ticks — events/s, frames/s out,
 * connections, fan-out time p50/p99, event-loop lag and RSS. Hovering shows the values (cursors are
 * synced); dragging a range filters the event stream to it.
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { LineChart } from 'lucide-react';
import { navigate } from '../../store/route';
import { useAppStore } from '../../store';
import { EmptyState } from '../../ui/states';
import { live, type TickPoint } from './live-data';

interface Spec {
  title: string;
  unit: string;
  series: { label: string; value: (p: TickPoint) => number | null; color: string }[];
}

const SPECS: Spec[] = [
  {
    title: 'Events per second',
    unit: '/s',
    series: [
      { label: 'events', value: (p) => p.tick.events_per_s ?? p.tick.fanout.events, color: '#2f7ae5' },
    ],
  },
  {
    title: 'Frames per second out',
    unit: '/s',
    series: [
      {
        label: 'frames out',
        value: (p) => p.tick.messages_out_per_s ?? p.tick.fanout.sent,
        color: '#1f9d63',
      },
    ],
  },
  {
    title: 'Connections',
    unit: '',
    series: [{ label: 'connections', value: (p) => p.tick.connections, color: '#8a5cd6' }],
  },
  {
    title: 'Fan-out time',
    unit: 'µs',
    series: [
      { label: 'p50', value: (p) => p.p50_us, color: '#2f7ae5' },
      { label: 'p99', value: (p) => p.p99_us, color: '#e0682b' },
    ],
  },
  {
    title: 'Event-loop lag',
    unit: 'ms',
    series: [
      { label: 'mean', value: (p) => p.tick.event_loop_lag_ms ?? null, color: '#2f7ae5' },
      { label: 'p99', value: (p) => p.tick.event_loop_lag_p99_ms ?? null, color: '#e0682b' },
    ],
  },
  {
    title: 'Memory (RSS)',
    unit: 'MiB',
    series: [
      {
        label: 'rss',
        value: (p) => (p.tick.rss_bytes ? Math.round(p.tick.rss_bytes / 1048576) : null),
        color: '#c2417a',
      },
    ],
  },
];

export default function ChartsTab() {
  const version = useAppStore((s) => s.monitor.ticksVersion);
  const points = useMemo(() => live.ticks.toArray(), [version]);
  if (points.length < 2)
    return (
      <EmptyState icon={<LineChart size={28} aria-hidden="true" />} title="Gathering figures…">
        The server sends its figures every second; the charts start after two of them and keep the last 15
        minutes.
      </EmptyState>
    );
  return (
    <div className="mon-charts" data-testid="charts" role="region" aria-label="Charts" tabIndex={0}>
      <p className="muted mon-note">Drag across a chart to show that time range's events.</p>
      {SPECS.map((s) => (
        <Chart key={s.title} spec={s} points={points} />
      ))}
    </div>
  );
}

function Chart({ spec, points }: { spec: Spec; points: TickPoint[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = useMemo<AlignedData>(
    () => [points.map((p) => p.t), ...spec.series.map((s) => points.map((p) => s.value(p)))],
    [points, spec],
  );
  const dataRef = useRef(data);
  dataRef.current = data;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const css = getComputedStyle(document.documentElement);
    const muted = css.getPropertyValue('--muted').trim() || '#888';
    const grid = css.getPropertyValue('--border').trim() || '#ddd';
    const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts: Options = {
      width: el.clientWidth,
      height: 160,
      cursor: { sync: { key: 'monitor' }, drag: { x: true, y: false, setScale: false } },
      legend: { live: true },
      scales: { x: { time: true } },
      axes: [axis, { ...axis, size: 56 }],
      series: [
        {},
        ...spec.series.map((s) => ({
          label: `${s.label}${spec.unit ? ` (${spec.unit})` : ''}`,
          stroke: s.color,
          width: 1.5,
          spanGaps: true,
        })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 2) return;
            const from = Math.floor(u.posToVal(u.select.left, 'x') * 1000);
            const to = Math.ceil(u.posToVal(u.select.left + u.select.width, 'x') * 1000);
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            navigate('/monitor', { from, to });
          },
        ],
      },
    };
    const u = new uPlot(opts, dataRef.current, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height: 160 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [spec]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <section className="card mon-chart" aria-label={spec.title}>
      <h3>{spec.title}</h3>
      <div ref={box} />
    </section>
  );
}
