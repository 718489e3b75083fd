/**
 * Load generator for the indexer bench, run as its own process so it does not share an event loop with
 * the indexer or the bench: autocannon at a fixed request rate against one URL, loopback only, bounded
 * in time. Prints one JSON line: { requests, errors, non2xx, p50, p95, p99, rps, achievedRps } (achievedRps:
 * requests completed over the run's length, the rate the latency figures were measured at).
 *
 *   node bench/load.ts <url> <rate> <seconds> [graphqlBody]
 */
import autocannon from "autocannon";

const [url, rateArg, secondsArg, body] = process.argv.slice(2);
if (!url || !/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`load.ts only targets loopback URLs, got ${url}`);
const rate = Number(rateArg ?? 1000);
const seconds = Math.min(Number(secondsArg ?? 10), 60);

const times: number[] = [];
// The run's own clock: requests completed over the wall time they took.
const started = performance.now();
const instance = autocannon({
  url,
  connections: 32,
  overallRate: rate,
  duration: seconds,
  timeout: 5,
  ...(body ? { method: "POST" as const, body, headers: { "content-type": "application/json" } } : {}),
});
instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
  times.push(responseTime);
});
const result = await instance;
times.sort((a, b) => a - b);
const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? Number.NaN;
console.log(
  JSON.stringify({
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    rps: result.requests.average,
    achievedRps: result.requests.total / ((performance.now() - started) / 1000),
  }),
);
