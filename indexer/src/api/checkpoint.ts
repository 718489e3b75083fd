/**
 * Decodes the block parts of a Ponder checkpoint string: 10 digits of block timestamp, 16 of chain id,
 * 16 of block number, then the position inside the block (ponder/src/utils/checkpoint.ts).
 */
export function decodeCheckpointBlock(checkpoint: string): { blockTimestamp: number; blockNumber: number } {
  return { blockTimestamp: Number(checkpoint.slice(0, 10)), blockNumber: Number(checkpoint.slice(26, 42)) };
}
