/**
 * A local OpenAI-compatible test server (`POST /v1/chat/completions`): the stand-in for a model
 * endpoint that lives off this machine. Each request is recorded; `reply` decides the answer
 * (text, delay, HTTP status), so tests script correct, wrong, slow and failing models.
 */
import { createServer, type Server } from "node:http";
import { freePort } from "@sothebais/common/testing";

export type LlmRequest = { model: string; system: string; prompt: string; receivedAt: number };
export type LlmReply = { text?: string; delayMs?: number; status?: number };

export type LlmServer = {
  baseUrl: string;
  requests: LlmRequest[];
  reply: (req: LlmRequest) => LlmReply | Promise<LlmReply>;
  setReply: (fn: (req: LlmRequest) => LlmReply | Promise<LlmReply>) => void;
  stop: () => Promise<void>;
};

export async function startLlmServer(): Promise<LlmServer> {
  const port = await freePort();
  const self: LlmServer = {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests: [],
    reply: () => ({ text: "Welcome to the show!" }),
    setReply: (fn) => {
      self.reply = fn;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
        res.writeHead(404).end();
        return;
      }
      const json = JSON.parse(body) as { model: string; messages: { role: string; content: string }[] };
      const r: LlmRequest = {
        model: json.model,
        system: json.messages.find((m) => m.role === "system")?.content ?? "",
        prompt: json.messages.filter((m) => m.role === "user").map((m) => m.content).join("\n"),
        receivedAt: Date.now(),
      };
      self.requests.push(r);
      const out = await self.reply(r);
      // A slow reply ends early when the client gives up, so no timer outlives the test.
      if (out.delayMs) await new Promise((resolve) => { const timer = setTimeout(resolve, out.delayMs); res.once("close", () => { clearTimeout(timer); resolve(undefined); }); });
      if (res.destroyed) return;
      if (out.status && out.status !== 200) {
        res.writeHead(out.status, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "scripted failure" } }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: `cmpl-${self.requests.length}`,
          object: "chat.completion",
          model: json.model,
          choices: [{ index: 0, message: { role: "assistant", content: out.text ?? "" }, finish_reason: "stop" }],
        }),
      );
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return self;
}
