/** What each SQL backend supplies to the shared row queries. */

/** Runs one SQL statement with `?` placeholders. */
export interface SqlExecutor {
  all<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  /**
   * As `all`, each row an array of its columns in the SELECT's order: no object per row and no
   * column names (the hot reads, where that is a tenth of the read's cost, use it).
   */
  rows(sql: string, params: readonly unknown[]): Promise<unknown[][]>;
  /** Returns the number of rows changed. */
  run(sql: string, params: readonly unknown[]): Promise<number>;
  /**
   * How a SELECT reads the BLOB `column` where that is cheaper than the bytes themselves (absent:
   * the column as it is). Whatever it returns, `blobValue` turns back into the bytes.
   */
  blobColumn?(column: string): string;
}

/** The SELECT expression for the BLOB `column` on `sql`'s backend (alias it: `AS "name"`). */
export function selectBlob(sql: SqlExecutor, column: string): string {
  return sql.blobColumn?.(column) ?? column;
}

/** The bytes of a BLOB read through `selectBlob`: hex text (SQLite) or bytes (PostgreSQL); null stays null. */
export function blobValue(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return Buffer.from(value, 'hex');
  return value as Buffer;
}
