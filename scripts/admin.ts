import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { ConfigError, parseConfig } from '../domain/config';
import { createPool } from '../db/pool';
import { createApiKey, createTeam, findTeam, listTeams, revokeApiKey } from '../db/teams';
import { addCredits } from '../db/ledger';
import { DEFAULT_GRACE_MINUTES } from '../db/audit';
import { temporalConnectionOptions } from '../connection/temporal';
import { connectForAudit, formatFinding, fullAudit } from '../db/audit-workflows';
import { RUNNING_SETTINGS_FILE, withRunningSettings } from './running-settings';
import { projectRoot } from './temporal-tools';

const USAGE = `usage: npm run admin -- <command> [options]

  create-team --name <name> [--credits <cents>]   a team, its first API key and optional starting credits
  create-key  --team <team id> [--name <label>]   another API key for a team (shown once)
  add-credits --team <team id> --credits <cents> [--idempotency-key <key>]
  revoke-key  --key-id <key id>                   takes effect on the next request
  list-teams                                      every team: id, name, balance and when it was created
  audit [--team <team id>]... [--grace-minutes <n>]
                                                  checks the ledger against the read model and Temporal; prints each
                                                  finding and exits 1 when there is any`;

function positiveCents(value: string | undefined): number {
  const cents = Number(value);
  if (!Number.isSafeInteger(cents) || cents <= 0) throw new Error(`--credits must be a positive whole number of cents`);
  return cents;
}

function required(value: string | string[] | undefined, flag: string): string {
  const one = Array.isArray(value) ? value[0] : value;
  if (!one || (Array.isArray(value) && value.length > 1)) throw new Error(`${flag} is required, once`);
  return one;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      credits: { type: 'string' },
      team: { type: 'string', multiple: true },
      'grace-minutes': { type: 'string' },
      'key-id': { type: 'string' },
      'idempotency-key': { type: 'string' },
    },
    strict: true,
  });
  // without DATABASE_URL, the stack `npm start` is running (its Postgres port is chosen at each start)
  const dataDir = path.resolve(process.env.CT_DATA_DIR || path.join(projectRoot, '.data'));
  const running = withRunningSettings(process.env, dataDir);
  if (!running.env.DATABASE_URL) {
    throw new ConfigError(
      `DATABASE_URL is not set and no running "npm start" was found (${path.join(dataDir, RUNNING_SETTINGS_FILE)}): ` +
        'start the stack with "npm start" in another terminal, or set DATABASE_URL',
    );
  }
  const config = parseConfig(running.env);
  const pool = createPool(config.DATABASE_URL, 2);
  try {
    switch (command) {
      case 'create-team': {
        // validate everything before writing anything
        const name = required(values.name, '--name');
        const credits = values.credits === undefined ? 0 : positiveCents(values.credits);
        const team = await createTeam(pool, name);
        const balance = credits > 0 ? await addCredits(pool, team.id, credits, `admin:create-team:${team.id}`) : 0;
        const { id, key } = await createApiKey(pool, team.id);
        console.log(JSON.stringify({ team_id: team.id, name: team.name, balance, key_id: id, api_key: key }, null, 2));
        return;
      }
      case 'create-key': {
        const teamId = required(values.team, '--team');
        if (!(await findTeam(pool, teamId))) throw new Error(`team ${teamId} not found`);
        const { id, key } = await createApiKey(pool, teamId, values.name ?? 'default');
        console.log(JSON.stringify({ team_id: teamId, key_id: id, api_key: key }, null, 2));
        return;
      }
      case 'add-credits': {
        const teamId = required(values.team, '--team');
        if (!(await findTeam(pool, teamId))) throw new Error(`team ${teamId} not found`);
        const key = values['idempotency-key'] ?? `admin:add-credits:${randomUUID()}`;
        const balance = await addCredits(pool, teamId, positiveCents(values.credits), key, 'top-up');
        console.log(JSON.stringify({ team_id: teamId, balance, idempotency_key: key }, null, 2));
        return;
      }
      case 'revoke-key': {
        const keyId = required(values['key-id'], '--key-id');
        if (!(await revokeApiKey(pool, keyId))) throw new Error(`API key ${keyId} not found`);
        console.log(JSON.stringify({ key_id: keyId, revoked: true }, null, 2));
        return;
      }
      case 'list-teams': {
        console.log(JSON.stringify(await listTeams(pool), null, 2));
        return;
      }
      case 'audit': {
        const grace = values['grace-minutes'] === undefined ? DEFAULT_GRACE_MINUTES : Number(values['grace-minutes']);
        if (!(grace >= 0)) throw new Error('--grace-minutes must be a number of minutes ≥ 0');
        const client = await connectForAudit(temporalConnectionOptions(config), config.TEMPORAL_NAMESPACE);
        try {
          const { findings, workflowsChecked } = await fullAudit(pool, client, {
            teamIds: values.team,
            graceMinutes: grace,
          });
          if (!workflowsChecked)
            console.log(`workflow check skipped: no Temporal answers at ${config.TEMPORAL_ADDRESS}`);
          for (const finding of findings) console.log(formatFinding(finding));
          console.log(findings.length === 0 ? 'audit clean' : `${findings.length} finding(s)`);
          if (findings.length > 0) process.exitCode = 1;
        } finally {
          await client?.connection.close();
        }
        return;
      }
      default:
        throw new Error(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
    }
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof Error ? err.message : err);
  process.exit(1);
});
