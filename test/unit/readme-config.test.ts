import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configSchema } from '../../domain/config';

const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The variables named in the first column of the README's configuration table. */
function documentedVariables(): string[] {
  const section = readme.slice(
    readme.indexOf('## Configuration'),
    readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1),
  );
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1] as string));
}

describe("the README's configuration table", () => {
  it('names every variable the config schema reads, and nothing it does not', () => {
    expect([...documentedVariables()].sort()).toEqual(Object.keys(configSchema.shape).sort());
  });

  it('links nowhere outside the repository but the web', () => {
    expect(readme).not.toMatch(/\]\(\.\.\//);
  });
});
