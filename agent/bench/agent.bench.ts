/**
 * Agent benchmark (`npm run bench -w @sothebais/agent`): real chain, Redis, indexer and agent.
 *
 * - event_to_line_p95_ms_offline: bid visible at the indexer's /live (polled every 5 ms by this
 *   script) -> the host's line about it received on Redis, offline mode (templates).
 * - model path: the same with a model behind an OpenAI-compatible server; the deadline is 1.5 s and the
 *   fallback rate counts lines that were templates. Which server is in the key (issue 21):
 *   - LLM_BASE_URL set (and LLM_MODEL): a real local model server (llama.cpp's, Ollama's, vLLM's):
 *     `model_first_line_*_local_model`, `model_fallback_rate_local_model`, with `model_server_url` and `model_name`;
 *   - otherwise the test suite's fake server, whose latency is log-normal (median 600 ms, ~12 % above 1.5 s)
 *     and whose lines are correct: `*_fake_server`. It measures the deadline logic, not a model.
 * A line not heard within 15 s is a miss; fewer than 100 bids report the maximum (bench/lib/stats.ts).
 *
 * The agent runs with a fast speaking rate (WORDS_PER_SECOND=10, MIN_GAP_MS=0) and bids are spaced, so
 * the figure is the pipeline's latency, not the deliberate wait between two spoken lines.
 * Writes bench/results/agent.json at the repo root (one run, with provenance: bench/lib/results.ts).
 */
import { cpus } from "node:os";
import { formatEther, parseEther } from "viem";
import { type Harness, startHarness } from "../test/helpers/harness.ts";
import { startLlmServer } from "../test/helpers/llm-server.ts";
import { startBenchRun } from "../../bench/lib/results.ts";
import { latencyKeys, percentile } from "../../bench/lib/stats.ts";

const BIDS = Number(process.env.AGENT_BENCH_BIDS ?? 30);
const DEADLINE_MS = 1500;
/** A real model server when configured; the fake one otherwise (and the keys say which). */
const realModel = process.env.LLM_BASE_URL ? { baseUrl: process.env.LLM_BASE_URL, model: process.env.LLM_MODEL ?? "" } : undefined;
if (realModel && !realModel.model) throw new Error("LLM_BASE_URL is set: set LLM_MODEL to the model the server serves");
const modelSuffix = realModel ? "_local_model" : "_fake_server";

const pct = (xs: number[], p: number) => Math.round(percentile(xs, p));

async function runBids(h: Harness, lotId: bigint, start: bigint, count: number) {
  const latencies: number[] = [];
  const kinds: string[] = [];
  let amount = start;
  for (let i = 0; i < count; i++) {
    const bidder = 4 + (i % 2);
    const since = Date.now();
    await h.stack.bid(bidder, lotId, amount);
    let seenAt = 0;
    const giveUp = Date.now() + 60_000;
    while (!seenAt) {
      if (Date.now() > giveUp) throw new Error(`bid ${formatEther(amount)} not visible at /live after 60 s (indexer stalled?)`);
      const snap = await h.live();
      if (snap.lot?.amount === amount.toString()) seenAt = Date.now();
      else await new Promise((r) => setTimeout(r, 5));
    }
    const text = `${formatEther(amount)} ETH`;
    const line = await h.waitForLine((l) => l.receivedAt >= since && (l.kind === "bid" || l.kind === "outbid") && l.text.includes(text), `line for ${text}`, 15_000).catch(() => undefined);
    // No line about the bid within 15 s is a miss (+Infinity), not a bench failure.
    latencies.push(line ? line.receivedAt - seenAt : Number.NaN);
    kinds.push(line?.text ?? "(none)");
    amount = (amount * 11n) / 10n + parseEther("0.01");
    await new Promise((r) => setTimeout(r, 1200)); // let the previous line be "spoken"
  }
  return { latencies, next: amount, texts: kinds };
}

async function metricSum(url: string, name: string, filter = ""): Promise<number> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  let sum = 0;
  for (const line of text.split("\n")) if (line.startsWith(name) && line.includes(filter)) sum += Number(line.split(" ").pop());
  return sum;
}

async function main() {
  const run = startBenchRun("agent", { bids_per_mode: BIDS, deadline_ms: DEADLINE_MS, words_per_second: 10, min_gap_ms: 0, model_server: realModel ? "local_model" : "fake_server" });
  const h = await startHarness();
  const llm = await startLlmServer();
  try {
    const fast = { WORDS_PER_SECOND: "10", MIN_GAP_MS: "0", LOG_LEVEL: "error" };
    await h.startAgent(fast);
    const lotId = await h.stack.mintAndCreateLot({ reserve: parseEther("0.1"), duration: 7200, timeBuffer: 10, minIncrementBps: 500 });
    await h.waitForLine((l) => l.kind === "open" && l.lotId === lotId.toString(), "open line", 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    console.log(`offline: ${BIDS} bids ...`);
    const offline = await runBids(h, lotId, parseEther("0.1"), BIDS);
    console.log(`offline: p50 ${pct(offline.latencies, 50)} ms, p95 ${pct(offline.latencies, 95)} ms, max ${pct(offline.latencies, 100)} ms`);
    await h.stopAgent();

    // The fake: a realistic latency spread and correct lines (it reads the facts from the prompt).
    llm.setReply((r) => {
      const m = /Current bid ([\d.]+) ETH by (\S+)\./.exec(r.prompt);
      const normal = Math.sqrt(-2 * Math.log(Math.random() || 1e-9)) * Math.cos(2 * Math.PI * Math.random());
      const delayMs = Math.round(600 * Math.exp(0.8 * normal));
      return { delayMs, text: m ? `${m[2]} leads at ${m[1]} ETH. Who goes higher?` : "Lovely piece!" };
    });
    const server = realModel ?? { baseUrl: llm.baseUrl, model: "bench-model" };
    const agent = await h.startAgent({ ...fast, LLM_BASE_URL: server.baseUrl, LLM_MODEL: server.model, LLM_DEADLINE_MS: String(DEADLINE_MS) });
    await new Promise((r) => setTimeout(r, 3000));
    const linesBefore = await metricSum(agent.url, "sothebais_agent_lines_total", 'source="template"');
    const modelBefore = await metricSum(agent.url, "sothebais_agent_lines_total", 'source="model"');
    console.log(`model: ${BIDS} bids ...`);
    const model = await runBids(h, lotId, offline.next, BIDS);
    const templ = (await metricSum(agent.url, "sothebais_agent_lines_total", 'source="template"')) - linesBefore;
    const fromModel = (await metricSum(agent.url, "sothebais_agent_lines_total", 'source="model"')) - modelBefore;

    const results: Record<string, number | string> = {
      ...latencyKeys("event_to_line", offline.latencies, { suffix: "_offline", digits: 0 }),
      ...latencyKeys("model_first_line", model.latencies, { suffix: modelSuffix, digits: 0 }),
      [`model_fallback_rate${modelSuffix}`]: Number((templ / Math.max(1, templ + fromModel)).toFixed(3)),
      model_server: realModel ? "local_model" : "fake_server",
      model_server_url: server.baseUrl,
      model_name: server.model,
    };
    for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(40)} ${String(v).padStart(8)}`);
    console.log(`targets: event_to_line p95 < 100 ms offline; model first line <= the 1500 ms deadline + pipeline. p95 over ${BIDS} bids: ${pct(offline.latencies, 95)} / ${pct(model.latencies, 95)} ms`);
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}, ${new Date().toISOString()}, ${BIDS} bids per mode`);
    run.write(results);
  } finally {
    await llm.stop();
    await h.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
