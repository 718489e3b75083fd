import { parseEther } from "viem";
import { DAY, deployStack } from "./stack.ts";
const s = await deployStack();
const { house, publicClient, networkHelpers } = s;
// warm: one settled lot so treasury/royalty/seller have history
for (let i = 0; i < 2; i++) {
  const { lotId } = await s.createLot();
  const a = await s.freshAccount(); const b = await s.freshAccount();
  await a.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "bid", args: [lotId], value: parseEther("1") });
  await b.wallet.writeContract({ address: house.address, abi: house.abi, functionName: "bid", args: [lotId], value: parseEther("1.1") });
  await networkHelpers.time.increase(DAY + 1n);
  await s.createLot();
  const hash = await house.write.settle([lotId]);
  const r = await publicClient.waitForTransactionReceipt({ hash });
  if (i == 0) continue;
  console.log("gasUsed", r.gasUsed);
  const t: any = await s.provider.request({ method: "debug_traceTransaction", params: [hash, { disableStorage: true, disableMemory: true }] });
  const logs = t.structLogs;
  const segs: string[] = [];
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i];
    if (["CALL", "STATICCALL", "SSTORE", "SLOAD", "LOG2", "LOG3", "LOG4", "TSTORE", "TLOAD"].includes(l.op)) {
      // find next step at the same depth
      let j = i + 1; while (j < logs.length && logs[j].depth > l.depth) j++;
      const cost = j < logs.length ? l.gas - logs[j].gas : l.gasCost;
      segs.push(`d${l.depth} ${l.op} ${cost} (pc ${l.pc}, gasLeft ${l.gas})`);
    }
  }
  console.log(segs.join("\n"));
  const total: Record<number, number> = {};
  for (let i = 0; i < logs.length; i++) { const l = logs[i]; total[l.depth] = (total[l.depth] ?? 0) + (l.depth === logs[i+1]?.depth ? l.gas - logs[i+1].gas : 0); }
  console.log("start gas", logs[0].gas, "end", logs[logs.length-1].gas, total);
}
