/**
 * @module ArtworkUpload
 * The console's artwork upload: an image with its title, artist and description to the operator API
 * (`POST /svc/operator/artwork`, behind the operator sign-in: admin or auctioneer), which checks it,
 * pins it with its ERC-721 metadata and answers the token URI (`ipfs://<metadataCid>`), handed to
 * `onUploaded` (the mint field). The API decides what is accepted; its refusal is shown as it is.
 * Once pinned, the preview is read back the way every page reads a token: its ipfs:// metadata and image
 * through the configured gateways, each checked against its CID (lib/metadata.ts), so what the operator
 * sees is what the lot page and the stream will show, not the file still in the browser.
 * Not a <form>: it sits inside the "New lot" form, and forms do not nest.
 */
import { useId, useState } from "react";
import { serviceUrl } from "../lib/config.ts";
import { useTokenMetadata } from "./Artwork.tsx";

type Uploaded = { imageCid: string; metadataCid: string; tokenURI: string; image: { type: string; width: number; height: number; bytes: number } };

export function ArtworkUpload({ onUploaded }: { onUploaded: (tokenURI: string) => void }) {
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [text, setText] = useState({ title: "", artist: "", description: "" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<Uploaded>();
  const set = (k: keyof typeof text) => (e: { target: { value: string } }) => setText((t) => ({ ...t, [k]: e.target.value }));

  const upload = async () => {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const form = new FormData();
      form.append("image", file);
      for (const [k, v] of Object.entries(text)) form.append(k, v);
      const res = await fetch(serviceUrl("operator", "/artwork"), { method: "POST", body: form, credentials: "same-origin" });
      const body = (await res.json().catch(() => ({}))) as Partial<Uploaded> & { error?: string };
      if (!res.ok) throw new Error(res.status === 401 ? "Sign in to the operator API first (Operator sign-in above)." : (body.error ?? `upload failed (HTTP ${res.status})`));
      setDone(body as Uploaded);
      onUploaded((body as Uploaded).tokenURI);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div role="group" aria-label="Upload an artwork" className="field span-2">
      <span className="label">
        Upload an artwork <span className="hint">PNG, JPEG, GIF or WebP, at most 10 MB, 64 to 8192 px a side; pinned to IPFS</span>
      </span>
      <div className="row nowrap">
        <input id={`${id}-f`} className="input" type="file" accept="image/png,image/jpeg,image/gif,image/webp" aria-label="Image file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </div>
      <div className="row nowrap">
        <input className="input" aria-label="Title" placeholder="Title" value={text.title} onChange={set("title")} />
        <input className="input" aria-label="Artist" placeholder="Artist" value={text.artist} onChange={set("artist")} />
      </div>
      <textarea className="input" aria-label="Description" placeholder="Description (optional)" value={text.description} onChange={set("description")} rows={2} />
      <button type="button" className="btn btn-outline" disabled={busy || !file || !text.title.trim() || !text.artist.trim()} onClick={() => void upload()}>
        {busy ? "Uploading and pinning…" : "Upload and pin"}
      </button>
      {error ? <p className="field-error" role="alert">{error}</p> : null}
      {done ? (
        <div className="upload-done">
          <PinnedPreview tokenURI={done.tokenURI} />
          <p className="small" role="status">
            Pinned: image <span className="mono" data-testid="artwork-image-uri">ipfs://{done.imageCid}</span> ({done.image.width}x{done.image.height}), token URI{" "}
            <span className="mono" data-testid="artwork-token-uri">{done.tokenURI}</span> — now Mint it below.
          </p>
        </div>
      ) : null}
    </div>
  );
}

/** The pinned artwork as the gateways serve it, verified against its CID; the reason when no gateway does. */
function PinnedPreview({ tokenURI }: { tokenURI: string }) {
  const { data, isPending } = useTokenMetadata(tokenURI);
  const caption = isPending ? "Reading it back from IPFS…" : data?.image ? "Read back from IPFS, CID verified" : `Not readable back: ${data?.imageError ?? "no image in its metadata"}`;
  return (
    <figure className="upload-preview" data-testid="artwork-preview" data-verified={data?.image ? "true" : "false"}>
      <div className="artwork artwork-thumb">
        {data?.image ? <img src={data.image} alt={data.name ?? "the pinned artwork"} /> : <div className="artwork-placeholder" />}
      </div>
      <figcaption className="small muted">{caption}</figcaption>
    </figure>
  );
}
