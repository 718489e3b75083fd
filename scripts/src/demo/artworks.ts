/**
 * @module demo/artworks
 * The demo campaign's artworks: small procedural SVGs (no fonts, no filters, so any renderer draws
 * them) wrapped in ERC-721 metadata as `data:` URIs, so the local stack needs no IPFS or web server.
 * Deterministic: the same seed always gives the same picture and the same token URI.
 */

export type Artwork = {
  title: string;
  artist: string;
  description: string;
  /** The SVG document. */
  svg: string;
  /** data:image/svg+xml;base64,… */
  image: string;
  /** data:application/json;base64,… (ERC-721 metadata: name, description, image, attributes). */
  tokenURI: string;
};

/** Mulberry32: a tiny seeded PRNG, so artworks are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const r1 = (n: number) => Math.round(n * 10) / 10;
const hsl = (h: number, s: number, l: number) => `hsl(${Math.round(h) % 360},${Math.round(s)}%,${Math.round(l)}%)`;
const svgDoc = (bg: string, body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512"><rect width="512" height="512" fill="${bg}"/>${body}</svg>`;

type Style = (rand: () => number, hue: number) => string;

/** Concentric rings drifting off centre. */
const rings: Style = (rand, hue) => {
  let body = "";
  const cx = 200 + rand() * 112;
  const cy = 200 + rand() * 112;
  for (let i = 14; i > 0; i--) {
    body += `<circle cx="${r1(cx + (rand() - 0.5) * i * 4)}" cy="${r1(cy + (rand() - 0.5) * i * 4)}" r="${i * 17}" fill="${hsl(hue + i * 9, 60, 18 + i * 4)}"/>`;
  }
  return svgDoc(hsl(hue + 180, 30, 10), body);
};

/** Vertical bands of uneven width, like a colour-field painting. */
const bands: Style = (rand, hue) => {
  let body = "";
  let x = 0;
  while (x < 512) {
    const w = 16 + rand() * 80;
    body += `<rect x="${r1(x)}" y="${r1(rand() * 40)}" width="${r1(w)}" height="${r1(432 + rand() * 40)}" fill="${hsl(hue + rand() * 60, 55, 30 + rand() * 40)}" opacity="0.9"/>`;
    x += w;
  }
  return svgDoc(hsl(hue, 20, 92), body);
};

/** A grid of tiles, each a quarter circle turned at random (Truchet); one shape reused to stay small. */
const truchet: Style = (rand, hue) => {
  const n = 6;
  const s = Math.round(512 / n);
  let body = `<defs><path id="t" d="M0 0h${s}a${s} ${s} 0 0 1 -${s} ${s}z"/></defs>`;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const turn = Math.floor(rand() * 4) * 90;
      body += `<use href="#t" transform="translate(${i * s} ${j * s}) rotate(${turn} ${s / 2} ${s / 2})" fill="${hsl(hue + (i + j) * 8, 65, 45)}"/>`;
    }
  }
  return svgDoc(hsl(hue + 200, 40, 14), body);
};

/** Stacked sine waves: a horizon at dusk. */
const waves: Style = (rand, hue) => {
  let body = "";
  for (let k = 0; k < 9; k++) {
    const base = 120 + k * 45;
    const amp = 10 + rand() * 30;
    const freq = 1 + rand() * 3;
    const phase = rand() * Math.PI * 2;
    let d = `M0 512L0 ${r1(base)}`;
    for (let x = 0; x <= 512; x += 32) d += `L${x} ${r1(base + Math.sin((x / 512) * freq * Math.PI * 2 + phase) * amp)}`;
    body += `<path d="${d}L512 512z" fill="${hsl(hue + k * 12, 50, 70 - k * 6)}"/>`;
  }
  return svgDoc(hsl(hue + 30, 70, 80), `<circle cx="${r1(100 + rand() * 312)}" cy="110" r="48" fill="${hsl(hue + 40, 90, 60)}"/>${body}`);
};

/** Scattered translucent triangles. */
const shards: Style = (rand, hue) => {
  let body = "";
  for (let i = 0; i < 24; i++) {
    const x = rand() * 512;
    const y = rand() * 512;
    const s = 30 + rand() * 110;
    const a = rand() * Math.PI * 2;
    const pts = [0, 1, 2].map((k) => `${r1(x + Math.cos(a + (k * 2 * Math.PI) / 3) * s)},${r1(y + Math.sin(a + (k * 2 * Math.PI) / 3) * s)}`).join(" ");
    body += `<polygon points="${pts}" fill="${hsl(hue + rand() * 90, 70, 55)}" opacity="0.35"/>`;
  }
  return svgDoc(hsl(hue, 25, 8), body);
};

const catalogue: { title: string; style: Style; seed: number; hue: number; description: string }[] = [
  { title: "Orbit of a Quiet Bell", style: rings, seed: 11, hue: 28, description: "Fourteen rings that never agree on a centre." },
  { title: "Field Notes in Saffron", style: bands, seed: 23, hue: 38, description: "Colour-field bands, each a different breath." },
  { title: "Tiles for a Lost Garden", style: truchet, seed: 37, hue: 150, description: "Thirty-six quarter circles, turned by chance." },
  { title: "Dusk over the Reservoir", style: waves, seed: 41, hue: 250, description: "Nine horizons stacked until the sun sets." },
  { title: "Glass After the Storm", style: shards, seed: 59, hue: 190, description: "Twenty-four shards of light on a dark floor." },
];

export const demoArtist = "Ada Procedura";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** The demo artworks, in campaign order. */
export function demoArtworks(): Artwork[] {
  return catalogue.map(({ title, style, seed, hue, description }, i) => {
    const svg = style(prng(seed), hue);
    const image = `data:image/svg+xml;base64,${b64(svg)}`;
    const metadata = {
      name: title,
      description: `${description} Generated for the SothebAIs demo.`,
      image,
      artist: demoArtist,
      attributes: [
        { trait_type: "Artist", value: demoArtist },
        { trait_type: "Series", value: "Procedural Evenings" },
        { trait_type: "Edition", value: `${i + 1} of ${catalogue.length}` },
      ],
    };
    return { title, artist: demoArtist, description: metadata.description, svg, image, tokenURI: `data:application/json;base64,${b64(JSON.stringify(metadata))}` };
  });
}

/** Decodes a `data:application/json;base64,` token URI (for tests and tools). */
export function decodeTokenURI(uri: string): Record<string, unknown> {
  const prefix = "data:application/json;base64,";
  if (!uri.startsWith(prefix)) throw new Error("not a base64 JSON data URI");
  return JSON.parse(Buffer.from(uri.slice(prefix.length), "base64").toString("utf8")) as Record<string, unknown>;
}
