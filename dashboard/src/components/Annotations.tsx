import type { Annotation } from '../api/types.js';
import { describeAnnotation, placeAnnotations } from '../model/annotations.js';
import { formatTime } from '../model/format.js';
import type { TimeWindow } from '../model/timeRange.js';

/** A strip the width of the window with one marker per annotation. */
export function AnnotationStrip({ annotations, window }: { annotations: readonly Annotation[]; window: TimeWindow }) {
  const placed = placeAnnotations(annotations, window);
  if (placed.length === 0) return null;
  return (
    <div className="annotation-strip" data-testid="annotation-strip" aria-label="Annotations on the time range">
      {placed.map((p) => (
        <span
          key={p.annotation.id}
          className={`annotation-marker kind-${p.annotation.kind}`}
          data-testid="annotation-marker"
          data-kind={p.annotation.kind}
          style={{ left: `${p.leftPct}%`, width: p.widthPct > 0 ? `${p.widthPct}%` : undefined }}
          title={`${formatTime(p.annotation.timeMs)} ${describeAnnotation(p.annotation)}`}
        >
          {p.glyph}
        </span>
      ))}
    </div>
  );
}

export function AnnotationList({ annotations, window }: { annotations: readonly Annotation[]; window: TimeWindow }) {
  const placed = placeAnnotations(annotations, window);
  return (
    <section className="panel" data-testid="map-annotations">
      <h2>Annotations ({placed.length})</h2>
      {placed.length === 0 ? (
        <p className="muted">No faults, deploys or route changes recorded in this range.</p>
      ) : (
        <ul className="annotation-list">
          {placed.map((p) => (
            <li key={p.annotation.id} data-testid="annotation-item" data-kind={p.annotation.kind}>
              <span className="annotation-glyph">{p.glyph}</span> <span className="muted">{formatTime(p.annotation.timeMs)}{p.annotation.endMs != null ? `–${formatTime(p.annotation.endMs)}` : ''}</span> {describeAnnotation(p.annotation)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
