/**
 * @module chat-server/say
 * CLI to post in the local chat as any user:
 * `node relayer/src/chat-server/say.ts --user 1001 --name alice "!bid 0.5"` (CHAT_URL or --url, default http://127.0.0.1:8792).
 */
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    user: { type: "string", default: "1001" },
    name: { type: "string" },
    channel: { type: "string" },
    url: { type: "string", default: process.env.CHAT_URL ?? "http://127.0.0.1:8792" },
    mod: { type: "boolean", default: false },
  },
});
const text = positionals.join(" ");
if (!text) {
  console.error('usage: say.ts [--user ID] [--name NAME] [--channel C] [--url URL] "message"');
  process.exit(2);
}
const res = await fetch(new URL("/api/say", values.url.replace(/^ws/, "http")), {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ userId: values.user, displayName: values.name, channel: values.channel, text, mod: values.mod }),
});
console.log(res.status, await res.text());
