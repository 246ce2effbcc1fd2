import { onlyToolCrashes } from '../../scripts/schemathesis';

/** Telling schemathesis crashing on itself (run again) from a finding about the API (a failure). */
describe('onlyToolCrashes', () => {
  const header = '==================== ERRORS ====================\n';
  const crash = (operation: string, where: string) =>
    `__________ ${operation} __________\nRuntime Error\nAST constructor recursion depth mismatch\n` +
    `  File "/x/.tools/schemathesis/lib/python3.11/site-packages/${where}/internal/x.py", line 1\n`;

  it('is true when every error is a runtime error inside hypothesis or schemathesis', () => {
    expect(onlyToolCrashes(header + crash('GET /v1/satellite/runs', 'hypothesis'))).toBe(true);
    expect(
      onlyToolCrashes(header + crash('GET /v1/usage', 'hypothesis') + crash('POST /v1/webhooks', 'schemathesis')),
    ).toBe(true);
  });

  it('is false with any failure, another kind of error, or no error at all', () => {
    const failure =
      '==================== FAILURES ====================\n__________ GET /v1/usage __________\nServer error\n';
    expect(onlyToolCrashes(failure + header + crash('GET /v1/usage', 'hypothesis'))).toBe(false);
    expect(onlyToolCrashes(header + '__________ GET /v1/usage __________\nNetwork Error\nConnection refused\n')).toBe(
      false,
    );
    expect(onlyToolCrashes(header + '__________ GET /v1/usage __________\nRuntime Error\n  File "/app/x.py"\n')).toBe(
      false,
    );
    expect(onlyToolCrashes('✅ 47 passed\n')).toBe(false);
  });
});
