import { useEffect, useState } from "react";

/** The wall clock in ms, re-rendering every `intervalMs` (countdowns; fake timers drive it in tests). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}
