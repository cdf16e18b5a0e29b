import { runCli } from './sandbox-cli';

/** `btrust-sandbox` / `npm run sandbox:cli -- <command>`: see runCli. */
runCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  fetch,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`The sandbox command failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 70;
  },
);
