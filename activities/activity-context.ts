import { Context } from '@temporalio/activity';

/** The running activity's context, or none when the code runs outside an activity (a script, a direct test call). */
export function currentActivityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}
