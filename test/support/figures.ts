/** Prints a figure the issue asks for (a duration, a count) where jest's own output does not bury it. */
export function reportFigure(what: string, value: string): void {
  process.stdout.write(`  [figure] ${what}: ${value}\n`);
}
