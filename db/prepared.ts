import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';

const names = new Map<string, string>();

/**
 * A named statement: each pooled connection parses and plans it once and afterwards sends only its parameters (the
 * read routes spent more CPU planning than executing). The name is derived from the text, so the same text is the
 * same statement on every connection and two texts never share a name.
 *
 * Only for statements with an explicit select list: a prepared `SELECT *` fails with "cached plan must not change
 * result type" once a migration adds a column while the connection lives. Behind PgBouncer in transaction mode,
 * named statements need version 1.21 or later (`max_prepared_statements`).
 */
export function prepared(text: string, values: unknown[]): QueryConfig<unknown[]> {
  let name = names.get(text);
  if (!name) {
    name = `ct_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return { name, text, values };
}
