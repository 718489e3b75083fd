/**
 * @module testing
 * Real parts for tests: processes, a Hardhat node, Redis, a deployed stack and the indexer.
 */
export { ppidOf, processIds, processTree, rssMb, slopePerMinute } from "./memory.ts";
export { freePort, type Managed, startProcess, type StartOptions, waitFor } from "./process.ts";
export { type IndexerProgress, indexerProgress, type RunningIndexer, startIndexer, type StartIndexerOptions } from "./indexer.ts";
export { localAccount, localMnemonic, localPrivateKey, localRoles } from "./accounts.ts";
export { type HardhatNode, type RedisServer, rpc, startHardhatNode, type StartHardhatNodeOptions, startRedis } from "./services.ts";
export { chatAuthorizationDomain, chatAuthorizationTypes, type ChatAuthorizationMessage, type CreateLotParameters, hashChatId, type SignedChatAuthorization, startTestStack, type StartTestStackOptions, type TestStack } from "./fixtures.ts";
