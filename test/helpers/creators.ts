import { apiClient, eventually } from './http';
import type { Stack } from './stack';
import { newTeam } from './teams';

/**
 * A fresh team with `credits`, tracking one creator through the API, returned once the first cycle has finished
 * (`finalized`), with the team's client and the creator's path.
 */
export async function trackedCreator(stack: Stack, credits: number, handle: string, platform = 'tiktok') {
  const team = await newTeam(stack.pool, credits);
  const api = apiClient(stack.baseUrl, team.key);
  const created = await api.post('/v1/tracking/creators', { platform, handle });
  if (created.status !== 202) throw new Error(`tracking ${handle} answered ${created.status}`);
  const id = created.body.data.id as string;
  await eventually('the first cycle', async () => {
    const res = await api.get(`/v1/tracking/creators/${id}`);
    return res.body.data.finalized ? true : undefined;
  });
  return { ...team, api, id, handle, base: `/v1/tracking/creators/${id}` };
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
