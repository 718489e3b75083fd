/**
 * One red-team run, shared by the test (test/redteam/redteam.test.ts: one test per attack) and the bench
 * (bench/redteam.bench.ts: the tallies summed into bench/results/redteam.json).
 */
import { type Attack, accountForTheChain, attacks, showInterruptedSeconds, startTeam, sumTallies, type Tally, type Team } from "./attacks.ts";
import { type RedTeamStack, startRedTeamStack } from "./stack.ts";

export type { Attack };

/**
 * Attacks that found a hole not fixed yet: the test marks them `todo` with the reason, so the suite stays
 * green and the hole stays visible. Empty: every attack of issue 19 is held.
 */
export const knownHoles: Record<string, string> = {};

export type RedTeamRun = { stack: RedTeamStack; team: Team; tallies: Tally[]; stop: () => Promise<void> };

export async function startRun(log: (line: string) => void = console.log): Promise<RedTeamRun> {
  const stack = await startRedTeamStack(log);
  try {
    const team = await startTeam(stack);
    return {
      stack,
      team,
      tallies: [],
      stop: async () => {
        await Promise.all([team.attacker.close(), team.victim.close()]);
        await stack.stop();
      },
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

export function report(t: Tally): string {
  return [`${t.attack}:`, ...t.notes.map((n) => `    ${n}`), ...t.problems.map((p) => `    PROBLEM ${p}`)].join("\n");
}

/** The bench figures of a whole run (the end-of-run account included). */
export async function figures(run: RedTeamRun) {
  const end = await accountForTheChain(run.team);
  const sum = sumTallies(run.tallies);
  return {
    end,
    figures: {
      attacks: run.tallies.length,
      unintended_bids: Math.max(sum.unintended_bids, end.unintended_bids),
      unintended_links: Math.max(sum.unintended_links, end.unintended_links),
      false_host_lines: Math.max(sum.false_host_lines, end.false_host_lines),
      secrets_leaked: sum.secrets_leaked,
      show_interrupted_s: showInterruptedSeconds(run.team),
      problems: sum.problems + end.problems.length,
      known_holes: Object.keys(knownHoles).length,
    },
  };
}

export { attacks };
