/** Small text helpers the heuristic report writers share, and the generator shape both analysts have. Pure. */

/** Tokens a model spent writing one report. */
export interface ReportTokens {
  prompt: number;
  completion: number;
}

/** A written report and who wrote it. */
export interface GeneratedReport<Analysis> {
  analysis: Analysis;
  /** the model's name, the heuristic analyst's, or the analyst's with the reason a model's answer was not used */
  modelUsed: string;
  /** null when no model was asked */
  tokens: ReportTokens | null;
}

/** Anything that can write a report from its input: a heuristic analyst here, or an LLM adapter. */
export interface ReportGenerator<Input, Analysis> {
  readonly name: string;
  generate(input: Input): Promise<GeneratedReport<Analysis>>;
}

/** A synchronous heuristic writer as a ReportGenerator. */
export const heuristicGenerator = <Input, Analysis>(
  name: string,
  write: (input: Input) => Analysis,
): ReportGenerator<Input, Analysis> => ({
  name,
  generate: (input) => Promise.resolve({ analysis: write(input), modelUsed: name, tokens: null }),
});

/** 1234 → 1.2K, 160400000 → 160.4M */
export function compact(n: number): string {
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  const units: [number, string][] = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (let i = 0; i < units.length; i++) {
    const [size, suffix] = units[i]!;
    if (abs < size) continue;
    const scaled = Math.round((abs / size) * 10) / 10;
    // 999,960 rounds to 1000.0K: say 1M instead
    if (scaled >= 1000 && i > 0)
      return `${sign}${trimZero(Math.round((abs / units[i - 1]![0]) * 10) / 10)}${units[i - 1]![1]}`;
    return `${sign}${trimZero(scaled)}${suffix}`;
  }
  return `${sign}${trimZero(Math.round(abs * 10) / 10)}`;
}

function trimZero(x: number): string {
  return x % 1 === 0 ? x.toFixed(0) : x.toFixed(1);
}

/** 0.1234 → "12%" (or "12.34%" with 2 decimals) */
export function pct(share: number, decimals = 0): string {
  return `${(Math.round(share * 100 * 10 ** decimals) / 10 ** decimals).toFixed(decimals)}%`;
}

/** 1 → "1 post", 3 → "3 posts": `word` takes an "s" unless n is exactly 1 */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** ["a"] → "a", ["a", "b", "c"] → "a, b and c" (no Oxford comma); [] → "" */
export function joinWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** At most `max` code points (a surrogate pair is never split), the last one "…" when the text was shortened. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Plain code-unit string order, the same on every machine (no locale). */
export function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
