/**
 * `./sothebais bench redteam`: the red-team run of test/redteam (every attack of issue 19 against the
 * running stack), its tallies summed into bench/results/redteam.json: attacks, unintended_bids,
 * unintended_links, false_host_lines, secrets_leaked, show_interrupted_s (and problems, known_holes).
 * Exits non-zero when any attack got through.
 */
import { startBenchRun } from "./lib/results.ts";
import { relayerSettings } from "../test/redteam/stack.ts";
import { attacks, figures, report, startRun } from "../test/redteam/run.ts";

const bench = startBenchRun("redteam", {
  stream_delay_s: relayerSettings.streamDelayS,
  max_line_age_s: relayerSettings.maxLineAgeS,
  link_rate_limit: relayerSettings.linkRateLimit,
  link_min_escrow_eth: relayerSettings.linkMinEscrowEth,
});
const run = await startRun((line) => console.log(line));
let code = 0;
try {
  for (const attack of attacks) {
    try {
      const t = await attack.run(run.team);
      run.tallies.push(t);
      console.log(report(t));
    } catch (error) {
      console.error(`${attack.name} could not be played: ${(error as Error).message}`);
      code = 1;
    }
  }
  const { end, figures: f } = await figures(run);
  console.log(report(end));
  const out = bench.write(f);
  console.log(JSON.stringify(out, null, 2));
  if (f.unintended_bids || f.unintended_links || f.false_host_lines || f.secrets_leaked || f.problems) code = 1;
} finally {
  await run.stop();
}
process.exit(code);
