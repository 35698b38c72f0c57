import { dashboardSuite, observedWorkflowBundle, OBSERVED_SETTINGS } from '../helpers/metrics-scenario.ts';
import { installTestRuntime, startParker } from '../helpers/parker.ts';
import { freePort } from '../helpers/ports.ts';
import { startPrometheus } from '../helpers/prometheus.ts';

// The no-collector path: Parker serves /metrics (PARKER_METRICS_PORT), Debian's prometheus
// scrapes it every second, and every query of the dashboard returns a series.

dashboardSuite('metrics, scraped by a real Prometheus', async () => {
  const metricsPort = await freePort();
  const telemetry = { metrics: { host: '127.0.0.1', port: metricsPort }, serviceName: 'parker-test' };
  installTestRuntime(telemetry);
  const parker = await startParker({ ...OBSERVED_SETTINGS, telemetry }, { workflowBundle: await observedWorkflowBundle() });
  const prometheus = await startPrometheus([`127.0.0.1:${metricsPort}`]);
  return {
    parker,
    prometheus,
    async close() {
      await prometheus.stop();
      await parker.stop();
    },
  };
});
