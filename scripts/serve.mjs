// `npm run serve -- --port 8000 --data-dir ./data [--host H]`: build if needed, then run the headless server
// with the arguments passed through; signals are forwarded and its exit code becomes ours.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt, root } from './ensure-build.mjs';

ensureBuilt();

const child = spawn(process.execPath, [join(root, 'out/main/headless.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  // note: with a TTY, Ctrl-C reaches the child too; forwarding again is harmless (the server stops once).
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

child.on('error', (err) => {
  console.error(`could not start the server: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  // A child killed by a signal exits 128 + the signal number, as a shell would report it.
  const signals = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15, SIGKILL: 9 };
  process.exit(code ?? 128 + (signals[signal] ?? 1));
});
