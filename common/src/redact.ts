/**
 * @module redact
 * Removes secrets from text that leaves a service (log lines, health documents, error strings):
 * stream keys in RTMP URLs, API keys in RPC/HTTP URL paths and queries, URL user:password, OAuth
 * and bearer tokens, `password=`/`key=`/`token=` values and 0x-prefixed 32-byte private keys.
 * Applied by common/src/log.ts to every line, so a service only needs it directly for what it
 * returns outside the logger (e.g. a `lastError` in /health).
 */

const MASK = "[redacted]";

// A URL runs until whitespace, a quote or an angle bracket (how URLs end inside messages and JSON).
// A backslash ends it too: inside JSON-escaped text it starts an escape (\n, \"), never part of a URL.
const urlPattern = /\b(?:rtmps?|https?|wss?|rediss?|postgres(?:ql)?|mysql|amqps?|mongodb(?:\+srv)?):\/\/[^\s"'<>`\\]+/gi;
// Database and queue URLs: the password is in the user info, options in the query; the path (a
// database name or number) stays readable.
const credentialSchemes = /^(rediss?|postgres(ql)?|mysql|amqps?|mongodb(\+srv)?)$/;
const oauthPattern = /\boauth:[A-Za-z0-9_-]+/gi;
const bearerPattern = /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi;
// `apikey=…`, `access_token=…`, `password=…` outside URLs (command lines, config dumps).
const assignmentPattern = /\b([A-Za-z_-]*(?:password|passwd|secret|key|token|signature))=("[^"]*"|'[^']*'|[^\s&,;"']+)/gi;
const privateKeyPattern = /\b0x[0-9a-fA-F]{64}(?![0-9a-fA-F])/g;
// A 32-byte value right after one of these words is a hash (tx, block, chat id), not a key: kept so
// logs stay useful. Anything else of that shape is treated as a private key.
// "hash" may end a word (txHash, blockHash, chatIdHash); the others must be words of their own ("paid" is not "id").
const hashLabel = /(?:hash|\btx|\btransaction|\bblock|\btopic|\broot|\bid)["']?\s*[:=]?\s*["']?$/i;

/** The URL with its secret parts masked: `rtmp://host/app/[redacted]`, `https://host/[redacted]`, no user:password. */
export function redactUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is.exec(url);
  if (!match) return MASK;
  const [, scheme, authority, rest] = match;
  const host = authority.includes("@") ? `${MASK}@${authority.slice(authority.lastIndexOf("@") + 1)}` : authority;
  const lower = scheme.toLowerCase();
  if (lower === "rtmp" || lower === "rtmps") {
    // rtmp://host/app/<stream key>: the app name is public, everything after it is the key.
    const app = /^\/[^/?#]*/.exec(rest)?.[0] ?? "";
    return rest.length > app.length ? `${scheme}://${host}${app}/${MASK}` : `${scheme}://${host}${rest}`;
  }
  if (credentialSchemes.test(lower)) return `${scheme}://${host}${rest.replace(/[?#].*$/, (q) => (q.length > 1 ? `?${MASK}` : q))}`;
  // Providers put the API key in the path (/v2/<key>) or the query (?apikey=): keep only the origin.
  return rest === "" || rest === "/" ? `${scheme}://${host}${rest}` : `${scheme}://${host}/${MASK}`;
}

/**
 * `url` without the punctuation that ends the sentence or quote around it ("…/key: Connection refused",
 * "(see https://x/y)"). A closing bracket stays when the URL opened it: text redacted once holds
 * "https://host/[redacted]", and redacting it again must not split that mask.
 */
function trimUrlEnd(url: string): string {
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  let end = url.length;
  while (end > 0) {
    const c = url[end - 1] as string;
    const open = pairs[c];
    if (open) {
      const head = url.slice(0, end);
      if (head.split(open).length >= head.split(c).length) break;
    } else if (!".,:;!?".includes(c)) break;
    end--;
  }
  return url.slice(0, end);
}

/** Everything but URLs (already handled whole by redactUrl). */
function redactLoose(text: string): string {
  return text
    .replace(oauthPattern, `oauth:${MASK}`)
    .replace(bearerPattern, (_m, scheme: string) => `${scheme} ${MASK}`)
    .replace(assignmentPattern, (_m, name: string) => `${name}=${MASK}`)
    .replace(privateKeyPattern, (value, offset: number, whole: string) =>
      hashLabel.test(whole.slice(Math.max(0, offset - 24), offset)) ? value : MASK,
    );
}

/**
 * `text` with every secret it may carry masked. `isHash` says the whole text is a labelled hash
 * (a log field named `txHash`, `chatIdHash`): a 32-byte hex value there is kept.
 */
export function redactSecrets(text: string, isHash = false): string {
  if (isHash && /^0x[0-9a-fA-F]{64}$/.test(text)) return text;
  const parts: string[] = [];
  let last = 0;
  for (const match of text.matchAll(urlPattern)) {
    const start = match.index ?? 0;
    const url = trimUrlEnd(match[0]);
    parts.push(redactLoose(text.slice(last, start)), redactUrl(url));
    last = start + url.length;
  }
  parts.push(redactLoose(text.slice(last)));
  return parts.join("");
}
