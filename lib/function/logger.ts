/** Fields a log line may carry. Values are identifiers and figures, never secrets. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** Writes one JSON object per line: what CloudWatch Logs Insights queries best. */
export type LogSink = (line: string) => void;

/** A structured logger bound to fixed fields (e.g. the rotation step). */
export class JsonLogger {
  constructor(
    private readonly fields: LogFields = {},
    private readonly sink: LogSink = (line) => process.stdout.write(`${line}\n`),
  ) {}

  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): JsonLogger {
    return new JsonLogger({ ...this.fields, ...fields }, this.sink);
  }

  info(message: string, fields: LogFields = {}): void {
    this.write("INFO", message, fields);
  }

  warn(message: string, fields: LogFields = {}): void {
    this.write("WARN", message, fields);
  }

  error(message: string, fields: LogFields = {}): void {
    this.write("ERROR", message, fields);
  }

  /**
   * Publishes one metric in CloudWatch's embedded metric format: a log line CloudWatch turns
   * into a datapoint, with no API call and no extra permission.
   */
  metric(namespace: string, name: string, value: number, dimensions: Record<string, string>): void {
    const line = {
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: namespace,
            Dimensions: [Object.keys(dimensions)],
            Metrics: [{ Name: name, Unit: "None" }],
          },
        ],
      },
      ...this.fields,
      ...dimensions,
      [name]: value,
    };
    this.sink(JSON.stringify(line));
  }

  private write(level: string, message: string, fields: LogFields): void {
    const line = { time: new Date().toISOString(), level, message, ...this.fields, ...fields };
    this.sink(JSON.stringify(line));
  }
}
