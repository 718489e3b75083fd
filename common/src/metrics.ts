/**
 * @module metrics
 * Prometheus metrics: one registry per service with default process metrics, served at `/metrics`.
 */
import client from "prom-client";

export type Metrics = {
  registry: client.Registry;
  counter: (name: string, help: string, labelNames?: string[]) => client.Counter<string>;
  gauge: (name: string, help: string, labelNames?: string[]) => client.Gauge<string>;
  histogram: (name: string, help: string, buckets?: number[], labelNames?: string[]) => client.Histogram<string>;
  /** Text exposition for `GET /metrics`. */
  render: () => Promise<string>;
  contentType: string;
};

/** Buckets in seconds from 1 ms to 30 s: chat-to-receipt, indexing and frame latencies all fit. */
export const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetrics(service: string): Metrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry, prefix: "sothebais_" });
  const prefix = (name: string) => `sothebais_${service}_${name}`;
  return {
    registry,
    counter: (name, help, labelNames = []) => new client.Counter({ name: prefix(name), help, labelNames, registers: [registry] }),
    gauge: (name, help, labelNames = []) => new client.Gauge({ name: prefix(name), help, labelNames, registers: [registry] }),
    histogram: (name, help, buckets = latencyBuckets, labelNames = []) =>
      new client.Histogram({ name: prefix(name), help, buckets, labelNames, registers: [registry] }),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
