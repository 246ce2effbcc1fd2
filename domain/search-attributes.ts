import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

// Custom search attributes operators filter by in the Temporal UI, e.g. `Platform = "tiktok" AND Handle = "khaby.lame"`.
export const TeamIdAttr = defineSearchAttributeKey('TeamId', SearchAttributeType.KEYWORD);
export const PlatformAttr = defineSearchAttributeKey('Platform', SearchAttributeType.KEYWORD);
export const HandleAttr = defineSearchAttributeKey('Handle', SearchAttributeType.KEYWORD);
export const TrackingStatusAttr = defineSearchAttributeKey('TrackingStatus', SearchAttributeType.KEYWORD);
export const ScrapeCadenceAttr = defineSearchAttributeKey('ScrapeCadence', SearchAttributeType.KEYWORD);

export const customSearchAttributes = [TeamIdAttr, PlatformAttr, HandleAttr, TrackingStatusAttr, ScrapeCadenceAttr];

/** Every tracking workflow's attribute values, as set at start and upserted when status or cadence change. */
export function trackingSearchAttributes(state: {
  teamId: string;
  platform: string;
  handle: string;
  status: string;
  cadence: string;
}): SearchAttributePair[] {
  return [
    { key: TeamIdAttr, value: state.teamId },
    { key: PlatformAttr, value: state.platform },
    { key: HandleAttr, value: state.handle },
    { key: TrackingStatusAttr, value: state.status },
    { key: ScrapeCadenceAttr, value: state.cadence },
  ];
}
