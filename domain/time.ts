/** Time units in milliseconds and date formatting shared across modules. Plain data, no I/O. */

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** A timestamp as an ISO 8601 string; null stays null. */
export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
