import { useQuery } from "@tanstack/react-query";
import { fetchTokenMetadata, type TokenMetadata } from "../lib/metadata.ts";
import { useApp } from "../state.tsx";

export function useTokenMetadata(uri: string | undefined) {
  const gateways = useApp().config.ipfsGateways;
  return useQuery<TokenMetadata>({
    queryKey: ["metadata", uri],
    queryFn: () => fetchTokenMetadata(uri ?? "", { gateways }),
    enabled: uri !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
    retry: 2,
  });
}

/** The artwork, framed; a quiet placeholder while loading or when the metadata has no image. */
export function Artwork({ uri, tokenId, size = "large" }: { uri: string | undefined; tokenId: bigint; size?: "large" | "thumb" }) {
  const { data } = useTokenMetadata(uri);
  const alt = data?.name ? `${data.name}${data.artist ? ` by ${data.artist}` : ""}` : `Token #${tokenId}`;
  return (
    <div className={`artwork artwork-${size}`}>
      {data?.image ? (
        <img src={data.image} alt={alt} loading={size === "thumb" ? "lazy" : "eager"} decoding="async" />
      ) : (
        <div className="artwork-placeholder" role="img" aria-label={alt} title={data?.imageError ? `Artwork not shown: ${data.imageError}` : undefined}>
          <span>#{tokenId.toString()}</span>
          {data?.imageError && size === "large" ? <small className="artwork-error">Artwork not shown: no IPFS gateway returned bytes matching its CID.</small> : null}
        </div>
      )}
    </div>
  );
}

export function useLotTitle(uri: string | undefined, tokenId: bigint): { title: string; artist?: string; description?: string } {
  const { data } = useTokenMetadata(uri);
  return { title: data?.name ?? `Token #${tokenId}`, artist: data?.artist, description: data?.description };
}
