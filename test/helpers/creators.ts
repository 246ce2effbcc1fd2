import { apiClient, eventually } from './http';
import type { Stack } from './stack';
import { teamClient } from './teams';

/**
 * A fresh team with `credits`, tracking one creator through the API, returned once the first cycle has finished
 * (`finalized`), with the team's client and the creator's path.
 */
export async function trackedCreator(stack: Stack, credits: number, handle: string, platform = 'tiktok') {
  const { api, ...team } = await teamClient(stack, credits);
  const created = await api.post('/v1/tracking/creators', { platform, handle });
  if (created.status !== 202) throw new Error(`tracking ${handle} answered ${created.status}`);
  const id = created.body.data.id as string;
  await eventually('the first cycle', async () => {
    const res = await api.get(`/v1/tracking/creators/${id}`);
    return res.body.data.finalized ? true : undefined;
  });
  return { ...team, api, id, handle, base: `/v1/tracking/creators/${id}` };
}

/**
 * Starts tracking through `path` (`/v1/tracking/creators` or `/v1/tracking/videos`), expects 202, and polls the
 * tracked resource until its first cycle has finished; returns its id, the 202's data and the finalized detail.
 */
export async function trackAndFinalize(api: ReturnType<typeof apiClient>, path: string, body: Record<string, unknown>) {
  const created = await api.post(path, body);
  expect(created.status).toBe(202);
  const id = created.body.data.id as string;
  const detail = await eventually(`the first cycle of ${path}/${id}`, async () => {
    const res = await api.get(`${path}/${id}`);
    return res.body.data.finalized ? res.body.data : undefined;
  });
  return { id, created: created.body.data, detail };
}

/** Polls an async job's URL until its status leaves `processing`; returns its data. */
export const untilDone = (api: ReturnType<typeof apiClient>, url: string) =>
  eventually(
    url,
    async () => {
      const res = await api.get(url);
      return res.body.data.status === 'processing' ? undefined : res.body.data;
    },
    60_000,
  );
