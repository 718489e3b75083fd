/**
 * @module model
 * One call to an OpenAI-compatible `/chat/completions` endpoint (Ollama, llama.cpp server, vLLM,
 * OpenAI...). Registered as the ElizaOS TEXT model handler (eliza.ts); a small fetch is all the
 * host needs, and it never reaches a public host unless LLM_BASE_URL says so.
 */
import { RetryableError } from "@sothebais/common/errors";

export type LlmConfig = {
  /** Base URL including the API prefix, e.g. http://127.0.0.1:11434/v1. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Hard cap for one request (ms); the host's own deadline is usually shorter. */
  timeoutMs: number;
};

export type CompletionRequest = { system: string; prompt: string; maxTokens?: number; temperature?: number; signal?: AbortSignal };

export async function chatCompletion(config: LlmConfig, req: CompletionRequest): Promise<string> {
  const url = `${config.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const signal = req.signal ? AbortSignal.any([req.signal, AbortSignal.timeout(config.timeoutMs)]) : AbortSignal.timeout(config.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      signal,
      headers: { "content-type": "application/json", ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}) },
      body: JSON.stringify({
        model: config.model,
        messages: [
          { role: "system", content: req.system },
          { role: "user", content: req.prompt },
        ],
        max_tokens: req.maxTokens ?? 90,
        temperature: req.temperature ?? 0.8,
        stream: false,
      }),
    });
  } catch (cause) {
    throw new RetryableError(`model request to ${url} failed`, { cause });
  }
  if (!res.ok) {
    const body = await res.text().catch(() => "");
    throw new RetryableError(`model answered ${res.status}: ${body.slice(0, 200)}`);
  }
  const json = (await res.json()) as { choices?: { message?: { content?: unknown } }[] };
  const content = json.choices?.[0]?.message?.content;
  if (typeof content !== "string" || !content.trim()) throw new RetryableError("model answered without text");
  return cleanLine(content);
}

/** One spoken line: no reasoning blocks, quotes, speaker labels or line breaks. */
export function cleanLine(text: string): string {
  return text
    .replace(/<think>[\s\S]*?<\/think>/gi, "")
    .replace(/^\s*(?:host|auctioneer|[\w ]{1,20}):\s*/i, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^["“']+|["”']+$/g, "")
    .slice(0, 300);
}
