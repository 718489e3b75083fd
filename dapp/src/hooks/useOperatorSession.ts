/**
 * @module useOperatorSession
 * The operator API's session (sign-in with the connected wallet), shared by every console page that
 * calls the operator API (controls, logs, artwork): one query, refreshed every 10 s so a session the
 * API dropped (expired, role revoked on chain) shows as signed out without a reload.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useConnection, useSignMessage } from "wagmi";
import { getSession, type OperatorSession, signIn, signOut } from "../lib/operator.ts";
import { useApp } from "../state.tsx";

export const operatorSessionKey = ["operator-session"] as const;

export function useOperatorSession() {
  const { config } = useApp();
  const connection = useConnection();
  const { mutateAsync: signMessage } = useSignMessage();
  const queryClient = useQueryClient();
  const session = useQuery({ queryKey: operatorSessionKey, queryFn: getSession, refetchInterval: 10_000, enabled: config.services.includes("operator") });
  const login = useMutation({
    mutationFn: () => {
      if (!connection.address) throw new Error("connect a wallet first");
      const address = connection.address;
      return signIn(address, config.chainId, (message) => signMessage({ account: address, message }));
    },
    onSuccess: (s: OperatorSession) => queryClient.setQueryData(operatorSessionKey, s),
  });
  const logout = useMutation({ mutationFn: signOut, onSettled: () => queryClient.setQueryData(operatorSessionKey, null) });
  // A session of another account than the connected one is not this user's: treat it as signed out.
  const mine = session.data && connection.address && session.data.address.toLowerCase() === connection.address.toLowerCase() ? session.data : null;
  return { session: mine, loading: session.isLoading, available: config.services.includes("operator"), login, logout };
}
