/**
 * Workflow interceptors that carry the API request id (the `X-Request-Id` that started or signalled a workflow) into
 * the workflow's log lines and on to its activities and children, as a Temporal header. Bundled with the workflows
 * (`workflowInterceptorModules`); headers are not part of the commands, so histories without one replay unchanged.
 */
import {
  defaultPayloadConverter,
  type Headers,
  type WorkflowInterceptors,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';

export const REQUEST_ID_HEADER = 'request-id';

export function requestIdFromHeaders(headers: Headers): string | undefined {
  const payload = headers[REQUEST_ID_HEADER];
  if (!payload) return undefined;
  const value = defaultPayloadConverter.fromPayload(payload);
  return typeof value === 'string' ? value : undefined;
}

export function withRequestId(headers: Headers, requestId: string | undefined): Headers {
  return requestId ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } : headers;
}

export const interceptors: WorkflowInterceptorsFactory = (): WorkflowInterceptors => {
  // one interceptor set per workflow execution: the latest request that reached it (start, signal or Update)
  let requestId: string | undefined;
  const heard = <T extends { headers: Headers }>(input: T): T => {
    requestId = requestIdFromHeaders(input.headers) ?? requestId;
    return input;
  };
  return {
    inbound: [
      {
        execute: (input, next) => next(heard(input)),
        handleSignal: (input, next) => next(heard(input)),
        handleUpdate: (input, next) => next(heard(input)),
      },
    ],
    outbound: [
      {
        getLogAttributes: (input, next) => next(requestId ? { ...input, requestId } : input),
        scheduleActivity: (input, next) => next({ ...input, headers: withRequestId(input.headers, requestId) }),
        scheduleLocalActivity: (input, next) => next({ ...input, headers: withRequestId(input.headers, requestId) }),
        startChildWorkflowExecution: (input, next) =>
          next({ ...input, headers: withRequestId(input.headers, requestId) }),
        continueAsNew: (input, next) => next({ ...input, headers: withRequestId(input.headers, requestId) }),
      },
    ],
  };
};
