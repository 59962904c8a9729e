import { createLogger, type Logger } from './logger';
import { EnvError } from './env';
import { DatabaseUnreachableError } from '../db/client';

/** Runs a process entry point; known start-up failures print one clear line instead of a stack trace. */
export function runMain(name: string, main: (log: Logger) => Promise<void>): void {
  const log = createLogger(name);
  main(log).catch((err: unknown) => {
    if (err instanceof EnvError || err instanceof DatabaseUnreachableError) {
      process.stderr.write(`${name}: ${err.message}\n`);
    } else {
      log.fatal({ err }, `${name} failed`);
    }
    process.exit(1);
  });
}
