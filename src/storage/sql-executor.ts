/** What each SQL backend supplies to the shared row queries. */

/** Runs one SQL statement with `?` placeholders. */
export interface SqlExecutor {
  all<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  /** Returns the number of rows changed. */
  run(sql: string, params: readonly unknown[]): Promise<number>;
}
