/** A row the caller knows must exist does not: a bug (or data removed by hand), never something a retry can fix. */
export class MissingRowError extends Error {
  constructor(what: string) {
    super(`${what} does not exist`);
    this.name = 'MissingRowError';
  }
}
