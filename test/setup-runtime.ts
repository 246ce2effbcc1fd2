import { DefaultLogger, Runtime, type Logger } from '@temporalio/worker';

// workers in tests log warnings and errors only; state-change chatter would bury the failures
const warnings = new DefaultLogger('WARN');
const sdkLog = globalThis as { __sdkLogger?: Logger };

/** Where the SDK's log lines go from now on in this jest process (a suite that reads them); the default again with none. */
export function routeSdkLogs(logger: Logger | undefined): void {
  sdkLog.__sdkLogger = logger;
}

const target = (): Logger => sdkLog.__sdkLogger ?? warnings;
try {
  Runtime.install({
    logger: {
      log: (level, message, meta) => target().log(level, message, meta),
      trace: (message, meta) => target().trace(message, meta),
      debug: (message, meta) => target().debug(message, meta),
      info: (message, meta) => target().info(message, meta),
      warn: (message, meta) => target().warn(message, meta),
      error: (message, meta) => target().error(message, meta),
    },
  });
} catch {
  // already installed in this jest worker process by an earlier suite
}
