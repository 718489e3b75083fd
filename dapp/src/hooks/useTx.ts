/**
 * @module useTx
 * One hook for a transaction's life, like SE-2's useTransactor: switch chain if needed, simulate
 * (so a revert is decoded into its custom error before the wallet even opens), ask the wallet to sign,
 * wait for the block, then refresh every query. Each phase is shown to the user in words.
 */
import { useCallback, useRef, useState } from "react";
import { useConfig } from "wagmi";
import { getConnection, simulateContract, switchChain, waitForTransactionReceipt, writeContract } from "wagmi/actions";
import { useQueryClient } from "@tanstack/react-query";
import type { Abi, Hash, Log } from "viem";
import { errorToWords, type ErrorWords } from "../lib/errors.ts";
import { useApp } from "../state.tsx";

export type TxPhase = "idle" | "preparing" | "signing" | "mining" | "confirmed" | "failed";
export type TxState = { phase: TxPhase; label?: string; hash?: Hash; error?: ErrorWords; blockNumber?: bigint; logs?: Log[] };

export type TxRequest = {
  label: string;
  address: `0x${string}`;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
  value?: bigint;
};

export function useTx() {
  const wagmi = useConfig();
  const { config } = useApp();
  const queryClient = useQueryClient();
  const [state, setState] = useState<TxState>({ phase: "idle" });
  const running = useRef(false);

  const run = useCallback(
    async (request: TxRequest): Promise<TxState> => {
      if (running.current) return { phase: "idle" };
      running.current = true;
      const { label } = request;
      let hash: Hash | undefined;
      try {
        setState({ phase: "preparing", label });
        const connection = getConnection(wagmi);
        if (!connection.address) throw Object.assign(new Error("not connected"), { name: "ConnectorNotConnectedError" });
        if (connection.chainId !== config.chainId) await switchChain(wagmi, { chainId: config.chainId });
        const { request: prepared } = await simulateContract(wagmi, {
          address: request.address,
          abi: request.abi,
          functionName: request.functionName,
          args: request.args,
          value: request.value,
          account: connection.address,
          chainId: config.chainId,
        } as Parameters<typeof simulateContract>[1]);
        setState({ phase: "signing", label });
        hash = await writeContract(wagmi, prepared as Parameters<typeof writeContract>[1]);
        setState({ phase: "mining", label, hash });
        const receipt = await waitForTransactionReceipt(wagmi, { hash, chainId: config.chainId, pollingInterval: 250 });
        if (receipt.status !== "success") throw new Error("The transaction reverted on chain.");
        const done: TxState = { phase: "confirmed", label, hash, blockNumber: receipt.blockNumber, logs: receipt.logs };
        setState(done);
        void queryClient.invalidateQueries();
        return done;
      } catch (error) {
        console.warn(`${label} failed`, error);
        const failed: TxState = { phase: "failed", label, hash, error: errorToWords(error, { chainId: config.chainId }) };
        setState(failed);
        return failed;
      } finally {
        running.current = false;
      }
    },
    [wagmi, config.chainId, queryClient],
  );

  const reset = useCallback(() => setState({ phase: "idle" }), []);
  return { state, run, reset, busy: state.phase === "preparing" || state.phase === "signing" || state.phase === "mining" };
}
