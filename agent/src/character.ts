/**
 * @module character
 * The host's character (ElizaOS `Character`): name, bio, system prompt, style and examples, read
 * from a JSON file so the voice of the show changes without code.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Character } from "@elizaos/core";
import { FatalError } from "@sothebais/common/errors";

export const defaultCharacterPath = join(dirname(fileURLToPath(import.meta.url)), "../characters/auctioneer.json");

export function loadCharacter(path = defaultCharacterPath): Character {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new FatalError(`cannot read the character file ${path}`, { cause, hints: ["set CHARACTER_FILE to a JSON character (see agent/characters/auctioneer.json)"] });
  }
  const c = (parsed ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof c.name !== "string" || !c.name.trim()) problems.push("name: expected a non-empty string");
  if (!(typeof c.bio === "string" || (Array.isArray(c.bio) && c.bio.every((b) => typeof b === "string")))) problems.push("bio: expected a string or a list of strings");
  if (c.system !== undefined && typeof c.system !== "string") problems.push("system: expected a string");
  if (problems.length) throw new FatalError(`character file ${path} is invalid: ${problems.join("; ")}`);
  return { ...(c as unknown as Character), settings: { ...((c.settings as Record<string, unknown>) ?? {}) } as Character["settings"] };
}

/** The system prompt sent with every model call: who the host is and how it speaks. */
export function systemPrompt(c: Character): string {
  const bio = Array.isArray(c.bio) ? c.bio.join(" ") : c.bio;
  const style = [...(c.style?.all ?? [])].join("; ");
  return [c.system ?? `You are ${c.name}, an auctioneer.`, bio, style ? `Style: ${style}.` : ""].filter(Boolean).join("\n");
}

/** Handles the host answers to in chat: `@host`, `@<name>`, `@<username>`. */
export function handlesOf(c: Character): string[] {
  return [...new Set(["host", c.name.toLowerCase(), ...(c.username ? [c.username.toLowerCase()] : [])])];
}
