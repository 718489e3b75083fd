/**
 * @module irc
 * IRC lines with IRCv3 tags, as Twitch chat speaks them: `@k=v;k2=v2 :prefix COMMAND params :trailing`.
 * Used by the local chat server and to read recent-message history (raw lines) after a reconnect.
 */
export type IrcMessage = {
  tags: Record<string, string>;
  prefix?: string;
  command: string;
  params: string[];
};

// IRCv3 tag value escaping: https://ircv3.net/specs/extensions/message-tags#escaping-values
const escapes: Record<string, string> = { ";": "\\:", " ": "\\s", "\\": "\\\\", "\r": "\\r", "\n": "\\n" };
const unescapes: Record<string, string> = { ":": ";", s: " ", "\\": "\\", r: "\r", n: "\n" };

export const escapeTag = (v: string) => v.replace(/[; \\\r\n]/g, (c) => escapes[c]);
export const unescapeTag = (v: string) => v.replace(/\\(.?)/g, (_, c: string) => unescapes[c] ?? c);

export function parseIrc(line: string): IrcMessage | undefined {
  let rest = line.replace(/\r?\n$/, "");
  const tags: Record<string, string> = {};
  if (rest.startsWith("@")) {
    const space = rest.indexOf(" ");
    if (space < 0) return undefined;
    for (const pair of rest.slice(1, space).split(";")) {
      const eq = pair.indexOf("=");
      if (eq < 0) tags[pair] = "";
      else tags[pair.slice(0, eq)] = unescapeTag(pair.slice(eq + 1));
    }
    rest = rest.slice(space + 1).trimStart();
  }
  let prefix: string | undefined;
  if (rest.startsWith(":")) {
    const space = rest.indexOf(" ");
    if (space < 0) return undefined;
    prefix = rest.slice(1, space);
    rest = rest.slice(space + 1).trimStart();
  }
  const trailingAt = rest.indexOf(" :");
  const trailing = trailingAt >= 0 ? rest.slice(trailingAt + 2) : undefined;
  const head = trailingAt >= 0 ? rest.slice(0, trailingAt) : rest;
  const [command, ...params] = head.split(" ").filter(Boolean);
  if (!command) return undefined;
  if (trailing !== undefined) params.push(trailing);
  return { tags, prefix, command: command.toUpperCase(), params };
}

export function formatIrc(message: IrcMessage): string {
  const tagText = Object.entries(message.tags)
    .map(([k, v]) => (v === "" ? k : `${k}=${escapeTag(v)}`))
    .join(";");
  const params = [...message.params];
  const last = params.pop();
  const parts = [
    tagText ? `@${tagText}` : "",
    message.prefix ? `:${message.prefix}` : "",
    message.command,
    ...params,
    last !== undefined ? `:${last}` : "",
  ].filter(Boolean);
  return parts.join(" ");
}
