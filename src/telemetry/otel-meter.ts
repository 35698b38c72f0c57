import { ValueType, type Attributes, type Meter } from '@opentelemetry/api';
import type {
  Metric,
  MetricCounter,
  MetricGauge,
  MetricHistogram,
  MetricMeter,
  MetricTags,
  MetricUpDownCounter,
  NumericMetricValueType,
} from '@temporalio/common';

// Temporal's MetricMeter interface over an OpenTelemetry meter, so that the metrics the
// activities record (metrics.ts) go through the NodeSDK's metric reader when Parker
// exports over OTLP, with no change to how they are recorded.

type Write = (value: number, attributes: Attributes) => void;
type Emit = (value: number, extraTags?: MetricTags) => void;
interface Bound extends Metric {
  add: Emit;
  record: Emit;
  set: Emit;
  withTags(tags: MetricTags): Bound;
}

/** One object serves every kind: the kind's own method (add, record or set) writes the value. */
function bound(write: Write, fields: Metric, tags: MetricTags): Bound {
  const emit: Emit = (value, extraTags) => write(value, { ...tags, ...extraTags });
  return { ...fields, add: emit, record: emit, set: emit, withTags: (extra) => bound(write, fields, { ...tags, ...extra }) };
}

const otelValueType = (valueType: NumericMetricValueType) => (valueType === 'int' ? ValueType.INT : ValueType.DOUBLE);

export function temporalMeterOver(meter: Meter, tags: MetricTags = {}): Required<MetricMeter> {
  return {
    createCounter(name, unit, description) {
      const counter = meter.createCounter(name, { unit, description, valueType: ValueType.INT });
      const fields: Metric = { name, unit, description, kind: 'counter', valueType: 'int' };
      return bound((value, attributes) => counter.add(value, attributes), fields, tags) as MetricCounter;
    },
    createUpDownCounter(name, unit, description) {
      const counter = meter.createUpDownCounter(name, { unit, description, valueType: ValueType.INT });
      const fields: Metric = { name, unit, description, kind: 'up-down-counter', valueType: 'int' };
      return bound((value, attributes) => counter.add(value, attributes), fields, tags) as MetricUpDownCounter;
    },
    createHistogram(name, valueType = 'int', unit, description) {
      const histogram = meter.createHistogram(name, { unit, description, valueType: otelValueType(valueType) });
      const fields: Metric = { name, unit, description, kind: 'histogram', valueType };
      return bound((value, attributes) => histogram.record(value, attributes), fields, tags) as MetricHistogram;
    },
    createGauge(name, valueType = 'int', unit, description) {
      const gauge = meter.createGauge(name, { unit, description, valueType: otelValueType(valueType) });
      const fields: Metric = { name, unit, description, kind: 'gauge', valueType };
      return bound((value, attributes) => gauge.record(value, attributes), fields, tags) as MetricGauge;
    },
    withTags: (extra) => temporalMeterOver(meter, { ...tags, ...extra }),
  };
}
