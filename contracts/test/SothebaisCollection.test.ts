/**
 * SothebaisCollection: minting, URI rules, ERC-2981 royalties (default and per-token overrides), ERC-7572 contract
 * metadata, roles (each permission with its negative twin) and interfaces.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getAddress, parseEther, zeroAddress } from "viem";
import { createStackFixture, roles } from "./helpers/stack.ts";

const { viem, A, load } = await createStackFixture();

describe("SothebaisCollection", () => {
  describe("constructor", () => {
    it("sets name, symbol, contract URI, owner, minter and the default royalty", async () => {
      const s = await load();
      const c = s.collection;
      assert.equal(await c.read.name(), "SothebAIs");
      assert.equal(await c.read.symbol(), "SOTH");
      assert.equal(await c.read.contractURI(), "ipfs://collection");
      assert.equal(await c.read.owner(), getAddress(s.admin.account.address));
      assert.equal(await c.read.hasRole([roles.MINTER_ROLE, s.admin.account.address]), true);
      assert.equal(await c.read.MINTER_ROLE(), roles.MINTER_ROLE);
      assert.deepEqual(await c.read.royaltyInfo([1n, parseEther("1")]), [getAddress(s.royalty.account.address), parseEther("0.1")]);
    });

    it("deploys without a default royalty or contract URI", async () => {
      const s = await load();
      const c = await viem.deployContract("SothebaisCollection", ["A", "B", "", s.admin.account.address, zeroAddress, 0n]);
      assert.deepEqual(await c.read.royaltyInfo([1n, 100n]), [zeroAddress, 0n]);
      assert.equal(await c.read.contractURI(), "");
    });

    it("reverts with SothebaisCollectionInvalidRoyalty above 100 % and SothebaisCollectionInvalidURI for a bad URI", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(
        viem.deployContract("SothebaisCollection", ["A", "B", "", s.admin.account.address, s.royalty.account.address, 10_001n]),
        s.collection,
        "SothebaisCollectionInvalidRoyalty",
        [getAddress(s.royalty.account.address), 10_001n],
      );
      await A.revertWithCustomErrorWithArgs(
        viem.deployContract("SothebaisCollection", ["A", "B", "ftp://x", s.admin.account.address, zeroAddress, 0n]),
        s.collection,
        "SothebaisCollectionInvalidURI",
        ["ftp://x"],
      );
    });
  });

  describe("mint", () => {
    it("numbers tokens from 1, stores the URI and emits Transfer", async () => {
      const s = await load();
      const c = s.collection;
      await A.emitWithArgs(c.write.mint([s.seller.account.address, "ipfs://a"]), c, "Transfer", [
        zeroAddress,
        getAddress(s.seller.account.address),
        1n,
      ]);
      await c.write.mint([s.seller.account.address, "ar://b"]);
      assert.equal(await c.read.tokenURI([1n]), "ipfs://a");
      assert.equal(await c.read.tokenURI([2n]), "ar://b");
      assert.equal(await c.read.totalMinted(), 2n);
      assert.equal(await c.read.ownerOf([2n]), getAddress(s.seller.account.address));
    });

    for (const uri of ["ipfs://x", "ar://x", "https://x.y/z.json", "data:application/json;base64,e30="]) {
      it(`accepts ${uri.slice(0, 12)}…`, async () => {
        const s = await load();
        await s.collection.write.mint([s.seller.account.address, uri]);
        assert.equal(await s.collection.read.tokenURI([1n]), uri);
      });
    }

    for (const uri of ["", "ipfs://", "http://x", "IPFS://x", "ipfs:/x", "data", "javascript:alert(1)"]) {
      it(`reverts with SothebaisCollectionInvalidURI for "${uri}"`, async () => {
        const s = await load();
        await A.revertWithCustomErrorWithArgs(
          s.collection.write.mint([s.seller.account.address, uri]),
          s.collection,
          "SothebaisCollectionInvalidURI",
          [uri],
        );
      });
    }

    it("reverts with AccessControlUnauthorizedAccount for a non-minter; a granted minter can", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(
        s.collection.write.mint([s.other.account.address, "ipfs://x"], { account: s.other.account }),
        s.collection,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.other.account.address), roles.MINTER_ROLE],
      );
      await s.collection.write.grantRole([roles.MINTER_ROLE, s.other.account.address]);
      await s.collection.write.mint([s.other.account.address, "ipfs://x"], { account: s.other.account });
      assert.equal(await s.collection.read.totalMinted(), 1n);
    });

    it("reverts when minting to a contract without an ERC-721 receiver (safe mint)", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(
        s.collection.write.mint([s.house.address, "ipfs://x"]),
        s.collection,
        "ERC721InvalidReceiver",
        [getAddress(s.house.address)],
      );
    });
  });

  describe("mintBatch", () => {
    it("mints consecutive ids and returns the first", async () => {
      const s = await load();
      await s.collection.write.mint([s.seller.account.address, "ipfs://0"]);
      const { result } = await s.collection.simulate.mintBatch([s.seller.account.address, ["ipfs://a", "ipfs://b"]]);
      assert.equal(result, 2n);
      await s.collection.write.mintBatch([s.seller.account.address, ["ipfs://a", "ipfs://b"]]);
      assert.equal(await s.collection.read.tokenURI([3n]), "ipfs://b");
      assert.equal(await s.collection.read.totalMinted(), 3n);
    });

    it("reverts with SothebaisCollectionEmptyBatch, with SothebaisCollectionInvalidURI for any bad URI, and for a non-minter", async () => {
      const s = await load();
      await A.revertWithCustomError(
        s.collection.write.mintBatch([s.seller.account.address, []]),
        s.collection,
        "SothebaisCollectionEmptyBatch",
      );
      await A.revertWithCustomErrorWithArgs(
        s.collection.write.mintBatch([s.seller.account.address, ["ipfs://a", "nope"]]),
        s.collection,
        "SothebaisCollectionInvalidURI",
        ["nope"],
      );
      await A.revertWithCustomErrorWithArgs(
        s.collection.write.mintBatch([s.other.account.address, ["ipfs://a"]], { account: s.other.account }),
        s.collection,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.other.account.address), roles.MINTER_ROLE],
      );
    });
  });

  describe("contract URI", () => {
    it("setContractURI updates it and emits ContractURIUpdated", async () => {
      const s = await load();
      await A.emit(s.collection.write.setContractURI(["https://x/c.json"]), s.collection, "ContractURIUpdated");
      assert.equal(await s.collection.read.contractURI(), "https://x/c.json");
    });

    it("setContractURI reverts for a bad URI and for a non-admin", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(s.collection.write.setContractURI(["x"]), s.collection, "SothebaisCollectionInvalidURI", ["x"]);
      await A.revertWithCustomErrorWithArgs(
        s.collection.write.setContractURI(["ipfs://x"], { account: s.other.account }),
        s.collection,
        "AccessControlUnauthorizedAccount",
        [getAddress(s.other.account.address), roles.DEFAULT_ADMIN_ROLE],
      );
    });
  });

  describe("royalties", () => {
    it("setDefaultRoyalty changes every token without override and emits DefaultRoyaltyUpdated", async () => {
      const s = await load();
      await A.emitWithArgs(s.collection.write.setDefaultRoyalty([s.other.account.address, 250n]), s.collection, "DefaultRoyaltyUpdated", [
        getAddress(s.other.account.address),
        250n,
      ]);
      assert.deepEqual(await s.collection.read.royaltyInfo([5n, 10_000n]), [getAddress(s.other.account.address), 250n]);
    });

    it("deleteDefaultRoyalty removes it", async () => {
      const s = await load();
      await A.emitWithArgs(s.collection.write.deleteDefaultRoyalty(), s.collection, "DefaultRoyaltyUpdated", [zeroAddress, 0n]);
      assert.deepEqual(await s.collection.read.royaltyInfo([1n, 10_000n]), [zeroAddress, 0n]);
    });

    it("a per-token override wins over the default until reset", async () => {
      const s = await load();
      await A.emitWithArgs(s.collection.write.setTokenRoyalty([2n, s.other.account.address, 2_500n]), s.collection, "TokenRoyaltyUpdated", [
        2n,
        getAddress(s.other.account.address),
        2_500n,
      ]);
      await s.collection.write.setTokenRoyalty([2n, s.other.account.address, 3_000n]); // replacing keeps one override
      await s.collection.write.setTokenRoyalty([3n, s.other.account.address, 100n]);
      assert.deepEqual(await s.collection.read.royaltyInfo([2n, 10_000n]), [getAddress(s.other.account.address), 3_000n]);
      assert.deepEqual(await s.collection.read.royaltyInfo([1n, 10_000n]), [getAddress(s.royalty.account.address), 1_000n]);
      await A.emitWithArgs(s.collection.write.resetTokenRoyalty([2n]), s.collection, "TokenRoyaltyUpdated", [2n, zeroAddress, 0n]);
      await s.collection.write.resetTokenRoyalty([2n]); // resetting twice is harmless
      await s.collection.write.resetTokenRoyalty([3n]);
      assert.deepEqual(await s.collection.read.royaltyInfo([2n, 10_000n]), [getAddress(s.royalty.account.address), 1_000n]);
      assert.deepEqual(await s.collection.read.royaltyInfo([3n, 10_000n]), [getAddress(s.royalty.account.address), 1_000n]);
    });

    it("reverts with SothebaisCollectionInvalidRoyalty for a zero receiver or above 100 %", async () => {
      const s = await load();
      await A.revertWithCustomErrorWithArgs(
        s.collection.write.setDefaultRoyalty([zeroAddress, 1n]),
        s.collection,
        "SothebaisCollectionInvalidRoyalty",
        [zeroAddress, 1n],
      );
      await A.revertWithCustomErrorWithArgs(
        s.collection.write.setTokenRoyalty([1n, s.other.account.address, 10_001n]),
        s.collection,
        "SothebaisCollectionInvalidRoyalty",
        [getAddress(s.other.account.address), 10_001n],
      );
    });

    it("every royalty setter reverts with AccessControlUnauthorizedAccount for a non-admin", async () => {
      const s = await load();
      const who = { account: s.other.account };
      const err = [getAddress(s.other.account.address), roles.DEFAULT_ADMIN_ROLE] as const;
      await A.revertWithCustomErrorWithArgs(s.collection.write.setDefaultRoyalty([s.other.account.address, 1n], who), s.collection, "AccessControlUnauthorizedAccount", [...err]);
      await A.revertWithCustomErrorWithArgs(s.collection.write.deleteDefaultRoyalty(who), s.collection, "AccessControlUnauthorizedAccount", [...err]);
      await A.revertWithCustomErrorWithArgs(s.collection.write.setTokenRoyalty([1n, s.other.account.address, 1n], who), s.collection, "AccessControlUnauthorizedAccount", [...err]);
      await A.revertWithCustomErrorWithArgs(s.collection.write.resetTokenRoyalty([1n], who), s.collection, "AccessControlUnauthorizedAccount", [...err]);
    });
  });

  describe("supportsInterface", () => {
    for (const [name, id, expected] of [
      ["ERC-165", "0x01ffc9a7", true],
      ["ERC-721", "0x80ac58cd", true],
      ["ERC-721 metadata", "0x5b5e139f", true],
      ["ERC-2981", "0x2a55205a", true],
      ["ERC-4906", "0x49064906", true],
      ["AccessControl", "0x7965db0b", true],
      ["nothing", "0xffffffff", false],
    ] as const) {
      it(`${expected ? "supports" : "does not support"} ${name}`, async () => {
        const s = await load();
        assert.equal(await s.collection.read.supportsInterface([id]), expected);
      });
    }
  });
});
