import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes operators filter by in the Temporal UI, e.g. `Platform = "tiktok" AND Handle = "khaby.lame"`.
export const TeamIdAttr = defineSearchAttributeKey('TeamId', SearchAttributeType.KEYWORD);
export const PlatformAttr = defineSearchAttributeKey('Platform', SearchAttributeType.KEYWORD);
export const HandleAttr = defineSearchAttributeKey('Handle', SearchAttributeType.KEYWORD);
export const TrackingStatusAttr = defineSearchAttributeKey('TrackingStatus', SearchAttributeType.KEYWORD);
export const ScrapeCadenceAttr = defineSearchAttributeKey('ScrapeCadence', SearchAttributeType.KEYWORD);

export const customSearchAttributes = [TeamIdAttr, PlatformAttr, HandleAttr, TrackingStatusAttr, ScrapeCadenceAttr];
