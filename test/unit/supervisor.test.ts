import {
  decide,
  defaultRestartPolicy,
  formatDuration,
  freshHistory,
  type RestartHistory,
} from '../../scripts/supervisor';

/** One process crashing at each of times, having been up for the matching uptimeMs. */
function crashAt(times: number[], uptimeMs: number[]): ReturnType<typeof decide>[] {
  let history: RestartHistory = freshHistory;
  return times.map((now, i) => {
    const decision = decide(history, now - (uptimeMs[i] ?? 0), now);
    history = decision.history;
    return decision;
  });
}

describe('npm start restart policy', () => {
  it('backs off 1 s, 2 s, 4 s … and caps the delay at 30 s', () => {
    const loose = { ...defaultRestartPolicy, maxCrashes: 100 };
    let history: RestartHistory = freshHistory;
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      // spread over hours: the crash window alone never gives up here
      const now = i * 3_600_000;
      const decision = decide(history, now - 5_000, now, loose);
      if (decision.action !== 'restart') throw new Error(decision.reason);
      expect(decision.restart).toBe(i + 1);
      delays.push(decision.delayMs);
      history = decision.history;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('starts the backoff over after a process stayed up a minute', () => {
    const [a, b, c, d] = crashAt([10_000, 20_000, 200_000, 210_000], [5_000, 5_000, 60_000, 5_000]);
    expect([a, b, c, d].map((x) => x?.action === 'restart' && x.delayMs)).toEqual([1_000, 2_000, 1_000, 2_000]);
    expect(c).toMatchObject({ restart: 1 });
  });

  it('gives up on the fifth crash within two minutes, not on five spread wider', () => {
    const fast = crashAt([1_000, 3_000, 6_000, 11_000, 20_000], [1_000, 1_000, 1_000, 1_000, 1_000]);
    expect(fast.map((x) => x.action)).toEqual(['restart', 'restart', 'restart', 'restart', 'give-up']);
    expect(fast[4]).toMatchObject({ reason: '5 crashes within 2 min' });

    // the first crash falls out of the window before the fifth
    const slow = crashAt([0, 40_000, 80_000, 110_000, 125_000], [5_000, 5_000, 5_000, 5_000, 5_000]);
    expect(slow.map((x) => x.action)).toEqual(['restart', 'restart', 'restart', 'restart', 'restart']);
    expect(slow[4]?.history.crashTimes).toHaveLength(4);
  });

  it('counts a long-lived process toward the window even though its backoff resets', () => {
    const decisions = crashAt([0, 61_000, 62_000, 63_000, 64_000], [0, 60_000, 500, 500, 500]);
    expect(decisions.map((x) => x.action)).toEqual(['restart', 'restart', 'restart', 'restart', 'give-up']);
  });

  it('names delays the way the log line reads', () => {
    expect([1_000, 30_000, 120_000, 250].map(formatDuration)).toEqual(['1 s', '30 s', '2 min', '250 ms']);
  });
});
