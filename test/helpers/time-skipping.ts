import { TestWorkflowEnvironment } from '@temporalio/testing';
import { customSearchAttributes } from '../../domain/search-attributes';
import { INDEXED_VALUE_TYPE_KEYWORD } from '../../scripts/temporal-dev';
import { requireEnv } from './env';

/**
 * A time-skipping test server from the installed binary, with the project's search attributes registered (the
 * workflows upsert them, and the server refuses unknown ones).
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireEnv('TEMPORAL_TEST_SERVER_PATH') } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(customSearchAttributes.map((key) => [key.name, INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return env;
}
