/** What the jest global setup hands every suite through the environment. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the jest global setup did not run or failed`);
  return value;
}

export const testDatabaseUrl = (): string => requireEnv('DATABASE_URL');

/** The workflow bundle built once by the global setup, so each suite's workers start in milliseconds. */
export const sharedWorkflowBundle = (): { codePath: string } => ({ codePath: requireEnv('TEST_WORKFLOW_BUNDLE') });
