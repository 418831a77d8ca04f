/**
 * Processing's real backlog is its dirty tiles, not its queue: photos.ingested messages only wake it (a
 * 1M-photo import sends ~50 and they are gone in seconds) while the tiles they dirtied take minutes. Each
 * task reports the count as a CloudWatch metric in the embedded metric format (EMF): a JSON line on stdout
 * that CloudWatch Logs turns into a metric, no API call or permission needed. Autoscaling of the
 * processing service tracks dirty tiles per task on it (infra/modules/autoscaling, `work_metric`).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const BACKLOG_METRIC = {
  namespace: 'Photospots',
  name: 'DirtyTiles',
  dimension: 'service',
  service: 'processing',
} as const;

/** One EMF record of the dirty tiles waiting now (every task reports the same count: the metric is read as its maximum). */
export function backlogRecord(dirtyTiles: number, now: number = Date.now()) {
  return {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: BACKLOG_METRIC.namespace,
          Dimensions: [[BACKLOG_METRIC.dimension]],
          Metrics: [{ Name: BACKLOG_METRIC.name, Unit: 'Count' }],
        },
      ],
    },
    [BACKLOG_METRIC.dimension]: BACKLOG_METRIC.service,
    [BACKLOG_METRIC.name]: dirtyTiles,
  };
}

/**
 * Writes a backlog record every `intervalMs` (and once at start) through `write`. A metric is not a log line:
 * it goes out whatever LOG_LEVEL says, or autoscaling would go blind when an operator quietens the logs. A
 * failed count is skipped (the next interval tries again) and reported through `onError`.
 */
export function startBacklogReports(options: {
  count: () => Promise<number>;
  intervalMs: number;
  write?: (line: string) => void;
  onError: (err: unknown) => void;
}): { stop(): void } {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  let stopped = false;
  const report = () => {
    options.count().then(
      (n) => {
        if (!stopped) write(`${JSON.stringify(backlogRecord(n))}\n`);
      },
      (err: unknown) => {
        if (!stopped) options.onError(err);
      },
    );
  };
  report();
  const timer = setInterval(report, options.intervalMs);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
