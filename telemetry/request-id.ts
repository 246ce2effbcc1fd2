/**
 * The request id's way from an API request into Temporal: the API runs each request inside `requestScope`, the
 * client interceptor puts the id in a header of every workflow start, signal and Update, the workflow interceptors
 * (workflows/request-id.ts) pass it on to activities and children, and the activity interceptor adds it to activity
 * log lines. So one id follows a POST through the workflow it started and every activity of that workflow.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { Headers } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { requestIdFromHeaders, withRequestId } from '../workflows/request-id';

const scope = new AsyncLocalStorage<string>();

/** Runs `work` with `requestId` as the current request's id. */
export const requestScope = <T>(requestId: string, work: () => T): T => scope.run(requestId, work);

export const currentRequestId = (): string | undefined => scope.getStore();

/** Adds the current request's id to the headers of every call that reaches a workflow. */
export function requestIdClientInterceptor(): WorkflowClientInterceptor {
  const tag = <T extends { headers: Headers }>(input: T): T => ({
    ...input,
    headers: withRequestId(input.headers, currentRequestId()),
  });
  return {
    start: (input, next) => next(tag(input)),
    startWithDetails: (input, next) => next(tag(input)),
    signal: (input, next) => next(tag(input)),
    signalWithStart: (input, next) => next(tag(input)),
    startUpdate: (input, next) => next(tag(input)),
    startUpdateWithStart: (input, next) => {
      const requestId = currentRequestId();
      return next({
        ...input,
        workflowStartHeaders: withRequestId(input.workflowStartHeaders, requestId),
        updateHeaders: withRequestId(input.updateHeaders, requestId),
      });
    },
  };
}

/** Puts the request id an activity was scheduled with on its log lines. */
export const requestIdActivityInterceptor: ActivityInterceptorsFactory = () => {
  let requestId: string | undefined;
  return {
    inbound: {
      execute: (input, next) => {
        requestId = requestIdFromHeaders(input.headers);
        return next(input);
      },
    },
    outbound: {
      getLogAttributes: (input, next) => next(requestId ? { ...input, requestId } : input),
    },
  };
};
