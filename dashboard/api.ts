/** The public API as the dashboard calls it: the user's key in the Authorization header, errors from the envelope. */
const KEY_STORAGE = 'creator-tracker.api-key';

export function storedKey(): string | null {
  return localStorage.getItem(KEY_STORAGE);
}

export function saveKey(key: string): void {
  localStorage.setItem(KEY_STORAGE, key.trim());
}

export function forgetKey(): void {
  localStorage.removeItem(KEY_STORAGE);
}

/** A `#key=<key>` fragment (the link `npm start` prints) is stored and taken off the address bar. */
export function takeKeyFromFragment(): void {
  const match = /^#key=(.+)$/.exec(location.hash);
  if (!match?.[1]) return;
  saveKey(decodeURIComponent(match[1]));
  history.replaceState(history.state, '', location.pathname + location.search);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function send(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${storedKey() ?? ''}`, accept };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) {
    const envelope = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    throw new ApiError(res.status, envelope?.error?.message ?? `${method} ${path} answered ${res.status}`);
  }
  return res;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export const get = <T>(path: string): Promise<T> => api<T>('GET', path);

/**
 * Downloads need the Authorization header, which a plain link cannot send: fetch the file, then save the blob under
 * the name the API gives in Content-Disposition.
 */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await send('GET', path, undefined, '*/*');
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export interface Page<T> {
  data: T[];
  pagination: { page: number; limit: number; total: number; total_pages: number };
}

/** A row of `GET /v1/usage`: one charge or refund. */
export interface UsageEntry {
  type: string;
  operation: string;
  cost: number;
  status: string;
  description: string | null;
  created_at: string;
}
