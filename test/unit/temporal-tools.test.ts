import { accessSync, constants } from 'node:fs';
import { ensureTemporalBinaries, temporalCliVersion } from '../../scripts/temporal-tools';

describe('Temporal binaries', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('finds both executables, and the CLI runs', () => {
    const bins = ensureTemporalBinaries();
    expect(() => accessSync(bins.cli, constants.X_OK)).not.toThrow();
    expect(() => accessSync(bins.testServer, constants.X_OK)).not.toThrow();
    expect(temporalCliVersion(bins.cli)).toMatch(/^temporal version \d+\.\d+\.\d+/);
  });

  it('stops with a message naming the override that does not work', () => {
    process.env.TEMPORAL_TEST_SERVER_PATH = '/nonexistent/temporal-test-server';
    expect(() => ensureTemporalBinaries()).toThrow(
      'temporal-test-server: /nonexistent/temporal-test-server (from the environment) is not executable',
    );
  });
});
