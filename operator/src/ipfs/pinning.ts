/**
 * @module ipfs/pinning
 * Keeping uploads on the public IPFS network in production, beside the local node:
 *
 * 1. CAR upload (optional, `IPFS_UPLOAD_URL`): the DAG's blocks as a CARv1 to a Kubo-RPC-compatible
 *    `POST /api/v0/dag/import` (a self-hosted Kubo or IPFS Cluster proxy, or a provider's IPFS RPC
 *    endpoint such as Filebase's). Import keeps the CIDs exactly, whatever chunking the provider uses.
 * 2. Pin request (`PINNING_SERVICE_URL`): the IPFS Pinning Service API's `POST /pins {cid, name,
 *    origins}` with a Bearer token. That API takes a CID only: the service fetches the blocks from the
 *    network itself, from the uploader of step 1 or from `PINNING_ORIGINS` (multiaddrs of a node that
 *    has them, e.g. this operator's public gateway as `/dns4/<host>/tcp/443/https`).
 *
 * @see https://ipfs.github.io/pinning-services-api-spec/
 * @see https://docs.ipfs.tech/reference/kubo/rpc/#api-v0-dag-import
 */

/** A pin's state as the service reports it. */
export type PinStatus = { requestid: string; status: "queued" | "pinning" | "pinned" | "failed" };

export type RemotePinning = {
  /** Uploads the CAR (when configured), then asks the service to pin `cid`; returns the service's status. */
  pin: (o: { cid: string; name: string; car: () => Promise<Uint8Array> }) => Promise<PinStatus>;
};

export type RemotePinningConfig = {
  serviceUrl: string;
  token: string;
  origins?: readonly string[];
  uploadUrl?: string;
  uploadToken?: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
};

/** The service's error body (`{error: {reason, details}}`) or the start of whatever it sent. */
async function reasonOf(res: Response): Promise<string> {
  const text = (await res.text().catch(() => "")).slice(0, 500);
  try {
    const e = (JSON.parse(text) as { error?: { reason?: string; details?: string } }).error;
    if (e?.reason) return `${e.reason}${e.details ? `: ${e.details}` : ""}`;
  } catch {}
  return text || res.statusText;
}

export function createRemotePinning(cfg: RemotePinningConfig): RemotePinning {
  const fetchImpl = cfg.fetchImpl ?? fetch;
  const timeoutMs = cfg.timeoutMs ?? 30_000;
  const base = cfg.serviceUrl.replace(/\/+$/, "");

  const upload = async (car: Uint8Array, cid: string) => {
    if (!cfg.uploadUrl) return;
    const url = new URL(`${cfg.uploadUrl.replace(/\/+$/, "")}/api/v0/dag/import`);
    url.searchParams.set("pin-roots", "true");
    const form = new FormData();
    form.append("file", new Blob([car as Uint8Array<ArrayBuffer>], { type: "application/vnd.ipld.car" }), `${cid}.car`);
    const res = await fetchImpl(url, {
      method: "POST",
      body: form,
      headers: cfg.uploadToken ? { authorization: `Bearer ${cfg.uploadToken}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`CAR upload to ${url.origin} refused (HTTP ${res.status}): ${await reasonOf(res)}`);
  };

  return {
    pin: async ({ cid, name, car }) => {
      await upload(await car(), cid);
      const res = await fetchImpl(`${base}/pins`, {
        method: "POST",
        headers: { authorization: `Bearer ${cfg.token}`, "content-type": "application/json" },
        body: JSON.stringify({ cid, name, ...(cfg.origins?.length ? { origins: cfg.origins } : {}) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`pinning service ${new URL(base).origin} refused ${cid} (HTTP ${res.status}): ${await reasonOf(res)}`);
      const body = (await res.json()) as Partial<PinStatus>;
      if (typeof body.requestid !== "string" || !["queued", "pinning", "pinned", "failed"].includes(String(body.status))) {
        throw new Error(`pinning service ${new URL(base).origin} answered without a PinStatus`);
      }
      if (body.status === "failed") throw new Error(`pinning service ${new URL(base).origin} failed to pin ${cid} (request ${body.requestid})`);
      return { requestid: body.requestid, status: body.status as PinStatus["status"] };
    },
  };
}
