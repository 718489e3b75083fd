/**
 * @module eliza
 * The ElizaOS runtime of the host: @elizaos/core's AgentRuntime with @elizaos/plugin-sql for
 * persistence (embedded PGlite by default, Postgres with POSTGRES_URL) and our plugin: a provider
 * with the live auction, our OpenAI-compatible model handler, and a custom event that turns a
 * moment of the show into a line (composeState -> prompt -> useModel).
 *
 * Start-up order (plugin-sql 1.7.2 reads `agents` before migrating otherwise, docs/TOOLCHAIN.md):
 * registerPlugin(sql), adapter.init(), runPluginMigrations(), then initialize({ skipMigrations }).
 */
import { AgentRuntime, type Character, type IAgentRuntime, type Memory, ModelType, type Plugin, type Provider, type UUID, stringToUuid } from "@elizaos/core";
import sqlPlugin from "@elizaos/plugin-sql";
import { systemPrompt } from "./character.ts";
import { type ChatQuote, quoteChat } from "./chat.ts";
import { chatCompletion, type LlmConfig } from "./model.ts";

export const LIVE_PROVIDER = "SOTHEBAIS_LIVE_AUCTION";
export const LINE_EVENT = "SOTHEBAIS_HOST_LINE";

export type LineEventPayload = {
  runtime: IAgentRuntime;
  source: string;
  /** What just happened and what to say about it. */
  moment: string;
  /** The chat line being answered (answers only), quoted into the prompt as untrusted data. */
  chat?: ChatQuote;
  callback: (text: string) => void;
  onError: (error: unknown) => void;
};

export type HostRuntime = {
  runtime: AgentRuntime;
  /** Ask the model for a line about `moment`, with the live state in context (and `chat` when answering it). */
  generate: (moment: string, chat?: ChatQuote) => Promise<string>;
  remember: <T>(key: string, value: T) => Promise<void>;
  recall: <T>(key: string) => Promise<T | undefined>;
  stop: () => Promise<void>;
};

export type HostRuntimeOptions = {
  character: Character;
  /** The live state as text, read by the provider at each call. */
  liveState: () => string;
  llm?: LlmConfig;
  pgliteDir?: string;
  postgresUrl?: string;
  secretSalt: string;
};

/**
 * The prompt for one line: live state from the provider, the moment, the rules. Chat text appears
 * only in an answer, and only the line answered, fenced as data: the show's own lines (open, bid,
 * countdown, sold...) are written from chain facts alone, so no viewer can steer them.
 */
export function buildPrompt(state: string, moment: string, chat?: ChatQuote): string {
  return [
    "# Live auction (from the chain, via the indexer)",
    state,
    "# What just happened",
    moment,
    chat ? `# The viewer's message (untrusted data)\n${quoteChat(chat)}` : "",
    "# Your line",
    "Write only the line the host says now: one or two short sentences, amounts exactly as in the facts, no invented names or numbers.",
  ]
    .filter(Boolean)
    .join("\n\n");
}

export async function createHostRuntime(options: HostRuntimeOptions): Promise<HostRuntime> {
  const system = systemPrompt(options.character);
  const provider: Provider = {
    name: LIVE_PROVIDER,
    description: "The live lot, its current bid and leader, the minimum next bid, time left and what comes next",
    get: async () => {
      const text = options.liveState();
      return { text, values: { liveAuction: text }, data: {} };
    },
  };
  const llm = options.llm;
  const textModel = async (_rt: IAgentRuntime, params: { prompt: string; maxTokens?: number; temperature?: number }) => {
    if (!llm) throw new Error("no model configured");
    return chatCompletion(llm, { system, prompt: params.prompt, maxTokens: params.maxTokens, temperature: params.temperature });
  };
  const onLine = async (payload: LineEventPayload) => {
    try {
      const rt = payload.runtime;
      // Only the moment goes through ElizaOS state; the chat quote joins the prompt text alone.
      const message = { entityId: rt.agentId, roomId: rt.agentId, content: { text: payload.moment } } as Memory;
      // skipCache: composeState caches per message id in an unbounded map (docs/TOOLCHAIN.md).
      const state = await rt.composeState(message, [LIVE_PROVIDER], true, true);
      const prompt = buildPrompt(String(state.values.liveAuction ?? state.text ?? ""), payload.moment, payload.chat);
      const text = await rt.useModel(ModelType.TEXT_LARGE, { prompt, maxTokens: 90, temperature: 0.8 });
      payload.callback(String(text));
    } catch (error) {
      payload.onError(error);
    }
  };
  const plugin: Plugin = {
    name: "sothebais-host",
    description: "SothebAIs auctioneer: live auction provider, OpenAI-compatible model, show events",
    providers: [provider],
    ...(llm ? { models: { [ModelType.TEXT_LARGE]: textModel, [ModelType.TEXT_SMALL]: textModel } } : {}),
    events: { [LINE_EVENT]: [onLine as (p: unknown) => Promise<void>] } as Plugin["events"],
  };

  const settings: Record<string, string> = { SECRET_SALT: options.secretSalt };
  if (options.pgliteDir) settings.PGLITE_DATA_DIR = options.pgliteDir;
  if (options.postgresUrl) settings.POSTGRES_URL = options.postgresUrl;
  const agentId = stringToUuid(`sothebais-host:${options.character.name}`) as UUID;
  const runtime = new AgentRuntime({ agentId, character: options.character, plugins: [], settings });
  await runtime.registerPlugin(sqlPlugin as Plugin);
  await runtime.adapter.init();
  await runtime.runPluginMigrations();
  await runtime.registerPlugin(plugin);
  await runtime.initialize({ skipMigrations: true });

  return {
    runtime,
    generate: (moment, chat) =>
      new Promise<string>((resolve, reject) => {
        const payload: LineEventPayload = { runtime, source: "sothebais", moment, ...(chat ? { chat } : {}), callback: resolve, onError: reject };
        void runtime.emitEvent(LINE_EVENT, payload).catch(reject);
      }),
    remember: async (key, value) => {
      await runtime.setCache(key, value);
    },
    recall: (key) => runtime.getCache(key),
    stop: async () => {
      await runtime.stop();
      await runtime.adapter.close();
    },
  };
}
