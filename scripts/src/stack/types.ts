/**
 * @module stack/types
 * How `./sothebais up` composes the local stack: each part is a {@link StackService} in its own file
 * under `scripts/src/stack/`, started in order by `scripts/src/up.ts` with a shared {@link StackContext}.
 */
import type { Deployment } from "@sothebais/common/deployments";

export type StackPorts = {
  chain: number;
  redis: number;
  indexer: number;
  relayer: number;
  broadcaster: number;
  agent: number;
  operator: number;
  chat: number;
  rtmp: number;
  hls: number;
  dapp: number;
};

export type StackContext = {
  /** Repo root. */
  root: string;
  /** Scratch space for this run (`.tmp/stack`), wiped at each start. */
  dataDir: string;
  chainId: number;
  ports: StackPorts;
  /** Filled by the parts as they start: rpcUrl, wsUrl, redisUrl, indexerUrl, graphqlUrl, chatUrl, chatPageUrl,
   * rtmpUrl, hlsUrl, relayerUrl, broadcasterUrl, previewUrl, agentUrl, operatorUrl, dappUrl ... */
  urls: Record<string, string>;
  /** Set by the chain part once contracts are deployed. */
  deployment?: Deployment;
  /** Prefixes a child's output lines with its name (shown with --verbose, always kept in .tmp/stack/logs). */
  echo: (name: string) => (line: string) => void;
  /** One progress line for the person watching. */
  progress: (message: string) => void;
  /** Register a cleanup for Ctrl-C; runs in reverse order. */
  onStop: (name: string, fn: () => Promise<unknown> | unknown) => void;
  /** Options from the command line. */
  flags: { simulateAudience: boolean; verbose: boolean };
};

export type StackService = {
  name: string;
  start: (ctx: StackContext) => Promise<void>;
};
