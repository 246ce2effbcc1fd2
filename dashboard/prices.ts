/**
 * Prices of the paid jobs in credits, as domain/costs.ts sets them: the dashboard bundles only its own sources, so they
 * are written here again, and test/unit/dashboard-prices.test.ts fails when the two differ.
 */
export const COLLECTION_DEPTHS = [
  { depth: 'standard', posts: 50, credits: 50 },
  { depth: 'deep', posts: 200, credits: 100 },
  { depth: 'full', posts: 500, credits: 200 },
] as const;

export const AUDIENCE_REFRESH_CREDITS = 50;
