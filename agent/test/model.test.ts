/**
 * behavior: with a model (a local OpenAI-compatible test server), the prompt carries the live
 * state; a reply with a wrong amount or a wrong leader is caught by the truth guard and replaced;
 * a slow or failing model falls back to a template within the deadline.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { formatEther, parseEther } from "viem";
import { type Harness, startHarness } from "./helpers/harness.ts";
import { type LlmServer, startLlmServer } from "./helpers/llm-server.ts";

const DEADLINE_MS = 1500;
const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;

describe("behavior: model lines pass the truth guard or fall back in time", { timeout: 600_000 }, () => {
  let h: Harness;
  let llm: LlmServer;
  let lotId: bigint;
  const a = 4;
  const b = 6;

  before(async () => {
    h = await startHarness();
    llm = await startLlmServer();
    await h.startAgent({ LLM_BASE_URL: llm.baseUrl, LLM_MODEL: "test-model", LLM_API_KEY: "sk-test", LLM_DEADLINE_MS: String(DEADLINE_MS) });
    llm.setReply(() => ({ text: "Welcome, everyone, to the block!" }));
    lotId = await h.stack.mintAndCreateLot({ reserve: parseEther("0.1"), duration: 600, timeBuffer: 10, minIncrementBps: 1000 });
    await h.waitForLine((l) => l.kind === "open" && l.lotId === lotId.toString(), "open line");
  });
  after(async () => {
    await llm?.stop();
    await h?.stop();
  });

  /** Places a bid and returns the host line about it, with the time the bid was visible at /live. */
  async function bidAndHear(bidder: number, amount: bigint) {
    const since = Date.now();
    await h.stack.bid(bidder, lotId, amount);
    let seenAt = 0;
    while (!seenAt) {
      const snap = await h.live();
      if (snap.lot?.amount === amount.toString()) seenAt = Date.now();
      else await new Promise((r) => setTimeout(r, 10));
    }
    const line = await h.waitForLine((l) => l.receivedAt >= since && (l.kind === "bid" || l.kind === "outbid"), `line for ${formatEther(amount)}`, 15_000);
    return { line, seenAt };
  }

  it("puts the live state in the prompt and publishes a correct model line", async () => {
    llm.setReply((r) => {
      // A well-behaved model: it reads the amount and the leader from the prompt.
      const amount = /Current bid ([\d.]+) ETH by (\S+)\./.exec(r.prompt);
      return { text: amount ? `${amount[2]} holds the floor at ${amount[1]} ETH. Who's next?` : "What a room!" };
    });
    const n = llm.requests.length;
    const { line } = await bidAndHear(a, parseEther("0.2"));
    const req = llm.requests.slice(n).find((r) => r.prompt.includes("0.2 ETH"));
    assert.ok(req, "the model was asked about the bid");
    assert.equal(req.model, "test-model");
    assert.match(req.prompt, new RegExp(`Lot ${lotId}: "Test artwork`));
    assert.match(req.prompt, /Current bid 0\.2 ETH by 0x/);
    assert.match(req.prompt, /Minimum next bid 0\.22 ETH/);
    assert.match(req.prompt, /Time left: \d+ (minutes?|seconds?)/);
    assert.match(req.system, /auctioneer/i);
    assert.equal(line.text, `${short(h.stack.address(a))} holds the floor at 0.2 ETH. Who's next?`);
  });

  it("catches a wrong amount with the truth guard and says the chain's amount instead", async () => {
    llm.setReply(() => ({ text: "Incredible, 9.75 ETH on the table!" }));
    const guardBefore = await metric("sothebais_agent_guard_rejections_total");
    const { line } = await bidAndHear(b, parseEther("0.3"));
    assert.ok(!line.text.includes("9.75"), line.text);
    assert.ok(line.text.includes("0.3 ETH"), line.text);
    assert.ok((await metric("sothebais_agent_guard_rejections_total")) >= guardBefore + 1);
  });

  it("catches a wrong leader", async () => {
    // After a's bid the leader is a; the model claims the outbid bidder b still leads.
    const bName = short(h.stack.address(b));
    llm.setReply(() => ({ text: `${bName} leads at 0.4 ETH!` }));
    const { line } = await bidAndHear(a, parseEther("0.4"));
    assert.ok(!new RegExp(`${bName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} leads`).test(line.text), line.text);
    assert.ok(line.text.includes(short(h.stack.address(a))), line.text);
  });

  it("falls back to a template within the deadline when the model is slow", async () => {
    llm.setReply(() => ({ text: "Too late to matter", delayMs: 5000 }));
    const { line, seenAt } = await bidAndHear(b, parseEther("0.5"));
    assert.ok(!line.text.includes("Too late"), line.text);
    assert.ok(line.text.includes("0.5 ETH"));
    const took = line.receivedAt - seenAt;
    assert.ok(took < DEADLINE_MS + 500, `line ${took} ms after the bid was indexed`);
  });

  it("falls back to a template at once when the model fails", async () => {
    llm.setReply(() => ({ status: 500 }));
    const { line, seenAt } = await bidAndHear(a, parseEther("0.6"));
    assert.ok(line.text.includes("0.6 ETH"));
    assert.ok(line.receivedAt - seenAt < DEADLINE_MS, `${line.receivedAt - seenAt} ms`);
    const text = await fetch(`${h.agentUrl()}/metrics`).then((r) => r.text());
    assert.match(text, /sothebais_agent_model_fallbacks_total\{[^}]*reason="error"/);
    assert.match(text, /sothebais_agent_model_fallbacks_total\{[^}]*reason="timeout"/);
  });

  async function metric(name: string): Promise<number> {
    const text = await fetch(`${h.agentUrl()}/metrics`).then((r) => r.text());
    let sum = 0;
    for (const line of text.split("\n")) if (line.startsWith(name)) sum += Number(line.split(" ").pop());
    return sum;
  }
});
