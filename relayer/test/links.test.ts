import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chatIdHashOf } from "@sothebais/common/chat-auth";
import type { Address, Hex } from "viem";
import { currentLinks, signedForChatUser } from "../src/links.ts";

const A = "0x00000000000000000000000000000000000000aA" as Address;
const B = "0x00000000000000000000000000000000000000bB" as Address;
const chat = (id: string) => chatIdHashOf({ platform: "twitch", userId: id });

describe("links (pure)", () => {
  it("signedForChatUser: only the Twitch account the authorization names", () => {
    const auth = JSON.stringify({ bidder: A, chatIdHash: chat("123") });
    assert.equal(signedForChatUser(auth, "123"), true);
    assert.equal(signedForChatUser(JSON.stringify({ bidder: A, chatIdHash: chat("123").toUpperCase().replace("0X", "0x") }), "123"), true);
    assert.equal(signedForChatUser(auth, "124"), false);
    assert.equal(signedForChatUser(JSON.stringify({ bidder: A }), "123"), false); // an old job without chatIdHash
    assert.equal(signedForChatUser(auth, "not-a-twitch-id"), false);
    assert.equal(signedForChatUser("{", "123"), false);
  });

  it("currentLinks: a rebuild keeps only the links in force, never a superseded one", () => {
    const reg = (bidder: Address, id: string) => ({ bidder, chatIdHash: chat(id) as Hex });
    // A linked chat 1, then re-linked from chat 2: chat 1 is gone.
    assert.deepEqual(currentLinks([reg(A, "1"), reg(A, "2")]), [reg(A, "2")]);
    // Chat 1 linked A, then linked B: chat 1 is B's; A has no chat account any more.
    assert.deepEqual(currentLinks([reg(A, "1"), reg(B, "1")]), [reg(B, "1")]);
    // Both bidders current, each on its own chat account.
    assert.deepEqual(currentLinks([reg(A, "1"), reg(B, "2"), reg(A, "3")]), [reg(B, "2"), reg(A, "3")]);
    assert.deepEqual(currentLinks([]), []);
  });
});
