import type { UpstreamHandler, UpstreamReply, UpstreamRequest } from './fake-upstream';

/** What the fake says the model is, as OpenAI does: a dated snapshot of the model asked for. */
export const FAKE_MODEL = 'gpt-4o-mini-2024-07-18';

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

/**
 * One answer of the fake model:
 * - `report`: a valid report whose content is `JSON.stringify(analysis)`;
 * - `content`: any message content (invalid JSON, a wrong shape, null), optionally with a refusal or finish_reason;
 * - `completion`: a whole chat.completion body as given (a recorded fixture);
 * - `error`: an OpenAI-shaped error with a status, e.g. 429 with Retry-After, 500, 404 model_not_found;
 * - `hang`: never answers (the caller's timeout ends it).
 * `usage: null` leaves usage out of the body; by default it is counted from the request and content sizes.
 */
export type FakeOpenAiStep =
  | { kind: 'report'; analysis: unknown; model?: string; usage?: FakeUsage | null }
  | {
      kind: 'content';
      content: string | null;
      refusal?: string | null;
      finish_reason?: string;
      model?: string;
      usage?: FakeUsage | null;
    }
  | { kind: 'completion'; body: any }
  | { kind: 'error'; status: number; code?: string; message?: string; retryAfter?: string }
  | { kind: 'hang' };

/** A chat.completion the fake returned. */
export interface FakeOpenAiServed {
  model: string;
  content: string | null;
  /** the content parsed as JSON; undefined when it is not JSON */
  analysis: unknown;
  usage: FakeUsage | null;
}

export type FakeOpenAiHandler = UpstreamHandler & {
  /** every chat.completion answered (200s only), in order */
  readonly served: FakeOpenAiServed[];
  /** the parsed bodies of every POST /v1/chat/completions, answered or not */
  readonly requests: any[];
};

/**
 * An OpenAI-compatible model on a `FakeUpstream`: answers `POST /v1/chat/completions` (the client's base URL is
 * `${server.url}/v1`) and 404s everything else. `script` is the answers in order (the last one repeats) or a function
 * of the request and its 0-based index.
 */
export function fakeOpenAi(
  script: FakeOpenAiStep | readonly FakeOpenAiStep[] | ((body: any, index: number) => FakeOpenAiStep),
): FakeOpenAiHandler {
  const served: FakeOpenAiServed[] = [];
  const requests: any[] = [];
  const handler = (req: UpstreamRequest): UpstreamReply => {
    if (req.method !== 'POST' || req.url.pathname !== '/v1/chat/completions') {
      return openAiError(404, `Unknown request URL: ${req.method} ${req.url.pathname}`, 'unknown_url');
    }
    const index = requests.length;
    requests.push(req.json);
    const step: FakeOpenAiStep =
      typeof script === 'function'
        ? script(req.json, index)
        : Array.isArray(script)
          ? script[Math.min(index, script.length - 1)]!
          : (script as FakeOpenAiStep);
    switch (step.kind) {
      case 'hang':
        return { hang: true };
      case 'error':
        return openAiError(
          step.status,
          step.message ?? `fake error ${step.status}`,
          step.code,
          step.retryAfter === undefined ? undefined : { 'retry-after': step.retryAfter },
        );
      case 'completion': {
        const message = step.body?.choices?.[0]?.message;
        served.push({
          model: step.body?.model,
          content: message?.content ?? null,
          analysis: parseOrUndefined(message?.content),
          usage: step.body?.usage ?? null,
        });
        return { status: 200, json: step.body };
      }
      case 'report':
      case 'content': {
        const content = step.kind === 'report' ? JSON.stringify(step.analysis) : step.content;
        const model = step.model ?? FAKE_MODEL;
        const usage =
          step.usage === undefined
            ? {
                prompt_tokens: Math.ceil(req.body.length / 4),
                completion_tokens: Math.ceil((content ?? '').length / 4),
              }
            : step.usage;
        served.push({ model, content, analysis: parseOrUndefined(content), usage });
        return {
          status: 200,
          json: chatCompletion({
            content,
            model,
            usage,
            refusal: step.kind === 'content' ? (step.refusal ?? null) : null,
            finish_reason: step.kind === 'content' ? (step.finish_reason ?? 'stop') : 'stop',
            index,
          }),
        };
      }
    }
  };
  return Object.assign(handler, { served, requests });
}

/** A chat.completion body in the documented shape. */
export function chatCompletion(opts: {
  content: string | null;
  model?: string;
  usage?: FakeUsage | null;
  refusal?: string | null;
  finish_reason?: string;
  index?: number;
}): Record<string, unknown> {
  const usage = opts.usage === undefined ? { prompt_tokens: 100, completion_tokens: 50 } : opts.usage;
  return {
    id: `chatcmpl-fake${String(opts.index ?? 0).padStart(6, '0')}`,
    object: 'chat.completion',
    created: 1_748_779_200,
    model: opts.model ?? FAKE_MODEL,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: opts.content, refusal: opts.refusal ?? null, annotations: [] },
        logprobs: null,
        finish_reason: opts.finish_reason ?? 'stop',
      },
    ],
    ...(usage === null ? {} : { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } }),
    system_fingerprint: 'fp_fake',
  };
}

function openAiError(status: number, message: string, code?: string, headers?: Record<string, string>): UpstreamReply {
  return {
    status,
    json: {
      error: { message, type: status === 429 ? 'requests' : 'invalid_request_error', param: null, code: code ?? null },
    },
    headers,
  };
}

function parseOrUndefined(content: unknown): unknown {
  if (typeof content !== 'string') return undefined;
  try {
    return JSON.parse(content);
  } catch {
    return undefined;
  }
}
