import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Annotation } from '../api/types.js';
import { annotationGlyph, describeAnnotation } from '../model/annotations.js';
import { formatTime } from '../model/format.js';
import type { TimeWindow } from '../model/timeRange.js';
import type { SeriesPoint } from '../model/series.js';

const AXIS = { stroke: '#8b93a7', fontSize: 11 };

interface ChartProps {
  title: string;
  data: SeriesPoint[];
  lines: { key: keyof SeriesPoint; name: string; color: string; dash?: string }[];
  unit: string;
  testId: string;
  annotations: readonly Annotation[];
  window: TimeWindow;
}

function Chart({ title, data, lines, unit, testId, annotations, window }: ChartProps) {
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={180}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#2a3142" strokeDasharray="3 3" />
          <XAxis dataKey="timeMs" type="number" domain={[window.fromMs, window.toMs]} allowDataOverflow tickFormatter={(v: number) => formatTime(v).slice(0, 5)} {...AXIS} />
          <YAxis width={56} {...AXIS} tickFormatter={(v: number) => `${+v.toFixed(2)}${unit.trim()}`} />
          <Tooltip
            contentStyle={{ background: '#161b26', border: '1px solid #2a3142', fontSize: 12 }}
            labelFormatter={(v) => `${formatTime(Number(v))} UTC`}
            formatter={(v) => (typeof v === 'number' ? `${v.toFixed(2)}${unit}` : '–')}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {annotations.map((a) => (
            <ReferenceLine key={a.id} x={a.timeMs} stroke="#c792ea" strokeDasharray="2 3" label={{ value: annotationGlyph(a.kind), position: 'insideTopLeft', fill: '#c792ea', fontSize: 12 }} ifOverflow="hidden">
              <title>{describeAnnotation(a)}</title>
            </ReferenceLine>
          ))}
          {lines.map((l) => (
            <Line key={String(l.key)} type="linear" dataKey={l.key} name={l.name} stroke={l.color} strokeDasharray={l.dash} dot={false} isAnimationActive={false} connectNulls={false} strokeWidth={2} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function RedCharts({ series, annotations, window, seenBy }: { series: SeriesPoint[]; annotations: readonly Annotation[]; window: TimeWindow; seenBy?: string | null }) {
  const common = { annotations, window };
  const who = seenBy ? ` (as ${seenBy} saw its calls)` : '';
  return (
    <div className="charts" data-annotations={annotations.length}>
      <Chart
        title={`Request rate${who}`}
        testId="chart-rate"
        {...common}
        data={series}
        unit="/s"
        lines={[
          { key: 'requestsPerSec', name: 'requests/s', color: '#5aa9e6' },
          { key: 'errorsPerSec', name: 'errors/s', color: '#f07178', dash: '4 3' },
        ]}
      />
      <Chart title={`Error rate${who}`} {...common} testId="chart-errors" data={series} unit="%" lines={[{ key: 'errorPct', name: 'errors %', color: '#f07178' }]} />
      <Chart
        title={`Latency percentiles${who}`}
        testId="chart-latency"
        {...common}
        data={series}
        unit=" ms"
        lines={[
          { key: 'p50Ms', name: 'p50', color: '#8bd17c' },
          { key: 'p95Ms', name: 'p95', color: '#ffcb6b' },
          { key: 'p99Ms', name: 'p99', color: '#f4a259', dash: '4 3' },
        ]}
      />
    </div>
  );
}
