const WINDOW_MS = 60_000;

/** The rate limits use fixed one-minute windows: start right after a boundary so that no window ends mid-test. */
export async function waitForFreshWindow(): Promise<void> {
  const intoWindow = Date.now() % WINDOW_MS;
  if (intoWindow > WINDOW_MS / 2) await new Promise((resolve) => setTimeout(resolve, WINDOW_MS - intoWindow + 50));
}
