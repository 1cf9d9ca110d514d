// `npm start`: all of Cairn in one process on embedded defaults — a Temporal dev server with its
// Web UI, PGlite (unless DATABASE_URL is set), a local mail sink (unless SMTP_URL is set), the
// worker, the event router and the HTTP API.
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config';
import { startCairn, type CairnStack } from './embedded-stack';
import { projectRoot } from './tools';

/** A shutdown that takes longer than this is cut short (the dev server is killed on exit). */
const SHUTDOWN_DEADLINE_MS = 20_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const debug = config.logLevel === 'debug' || config.logLevel === 'trace';
  // The SDK's worker chatter (bundling, state changes) only at debug levels. Its own handlers
  // for SIGINT/SIGTERM are off: they would shut the worker down behind the stack's back, and the
  // stack's stop() would then find it draining (the IllegalStateErrors Ctrl-C used to print).
  Runtime.install({ logger: new DefaultLogger(debug ? 'DEBUG' : 'WARN'), shutdownSignals: [] });

  const startup = new AbortController();
  let stack: CairnStack | undefined;
  let exiting = false;
  let exitCode = 0;
  const shutdown = (reason: string, code: number) => {
    // One shutdown: a second Ctrl-C changes nothing.
    if (exiting) return;
    exiting = true;
    exitCode = code;
    console.log(`\ncairn: ${reason}, shutting down…`);
    setTimeout(() => {
      console.error('cairn: shutdown took too long, exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    if (!stack) {
      // Still starting: startCairn sees the abort, stops what it started and rejects.
      startup.abort();
      return;
    }
    void stack.stop().then(() => process.exit(exitCode));
  };
  // Registered before anything starts, so a signal during startup stops what started too. npm
  // scripts run this file with tsx as an import hook, not tsx's CLI: the CLI runs it in a child
  // and SIGKILLs that child when it takes over 60 ms to acknowledge a signal (easily, mid-startup
  // on a busy machine), which left the Temporal dev server running and exited 143.
  process.on('SIGINT', () => shutdown('interrupted', 0));
  process.on('SIGTERM', () => shutdown('terminated', 0));

  try {
    stack = await startCairn(config, {
      // Launcher-only knobs, for a second launcher beside the first (and the launcher's test):
      // CAIRN_DEV_STATE_DIR instead of .cairn/, CAIRN_DEV_PORTS=auto for kernel-picked ports.
      stateDir: process.env.CAIRN_DEV_STATE_DIR ?? path.join(projectRoot, '.cairn'),
      ports: process.env.CAIRN_DEV_PORTS === 'auto' ? 'auto' : 'fixed',
      signal: startup.signal,
      onFailed: (error) => {
        console.error(`cairn: ${describe(error, debug)}`);
        shutdown('a part stopped', 1);
      },
    });
  } catch (error) {
    if (startup.signal.aborted) process.exit(exitCode);
    console.error(`cairn: could not start: ${describe(error, debug)}`);
    process.exit(1);
  }
  if (exiting) {
    // A signal arrived after the last step of startCairn checked for it.
    await stack.stop();
    process.exit(exitCode);
  }
  console.log(stack.banner);
}

/** One line for a person at a terminal; the stack trace only at debug log levels. */
function describe(error: unknown, withStack: boolean): string {
  if (!(error instanceof Error)) return String(error);
  if (withStack) return error.stack ?? error.message;
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

main().catch((error: unknown) => {
  // A configuration error, before anything started.
  console.error(`cairn: could not start: ${describe(error, false)}`);
  process.exit(1);
});
