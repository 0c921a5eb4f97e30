/**
 * Rows the hot paths read again and again (every connect, every presence announcement, every request),
 * kept in memory so that those paths do no SQLite work when nothing changed: the session lookup, the
 * user row, a user's accepted contact ids, the unseen missed-call count, the device bindings.
 *
 * One cache per database object (its `cache`), holding named maps; each table owns its map and drops
 * the entries its own writes change. Writes made through another connection to the same file (the
 * admin CLI in another process, another server node) are seen through SQLite's `PRAGMA data_version`,
 * which changes when another connection commits: when it has moved, every map is emptied. It is read at
 * most once per event-loop turn, so a connect storm pays it once per turn, not per connect (a commit
 * made by another process during this turn is indistinguishable from one made just after it).
 *
 * PostgreSQL has no such cheap signal of other nodes' writes, so a PostgreSQL database has a cache that
 * keeps nothing (`ReadCache.none()`): every read goes to the database.
 */

export class ReadCache {
  private readonly maps = new Map<string, CacheMap<unknown, unknown>>();
  private version: number;
  private checkedThisTurn = false;

  /**
   * `dataVersion` changes when another connection commits (SQLite's `PRAGMA data_version`); null: a
   * cache that keeps nothing, for a database other nodes write to unseen.
   */
  constructor(private readonly dataVersion: (() => number) | null) {
    this.version = dataVersion?.() ?? 0;
  }

  static none(): ReadCache {
    return new ReadCache(null);
  }

  /** The map named `name` (the same one for every table object of this database that asks). */
  map<K, V>(name: string): CacheMap<K, V> {
    let map = this.maps.get(name);
    if (!map)
      this.maps.set(name, (map = new CacheMap(() => this.checkForeignWrites(), this.dataVersion !== null)));
    return map as CacheMap<K, V>;
  }

  /** Empties every map if another connection has committed since the last check. */
  private checkForeignWrites(): void {
    if (this.checkedThisTurn || !this.dataVersion) return;
    this.checkedThisTurn = true;
    setImmediate(() => (this.checkedThisTurn = false));
    const version = this.dataVersion();
    if (version === this.version) return;
    this.version = version;
    for (const map of this.maps.values()) map.clear();
  }
}

/**
 * A map whose reads first make sure no other connection has written to the database. A row read from
 * the database is set with the `ticket` taken before the read: if anything was dropped meanwhile (a
 * write landed while the read awaited), the row may be stale and is not kept.
 */
export class CacheMap<K, V> {
  private readonly entries = new Map<K, V>();
  private drops = 0;

  constructor(
    private readonly beforeRead: () => void,
    /** False for a cache that keeps nothing (`ReadCache.none()`). */
    readonly keeps: boolean,
  ) {}

  get(key: K): V | undefined {
    this.beforeRead();
    return this.entries.get(key);
  }

  /** To pass to `set` for a row about to be read. */
  ticket(): number {
    return this.drops;
  }

  set(key: K, value: V, ticket?: number): void {
    if (this.keeps && (ticket === undefined || ticket === this.drops)) this.entries.set(key, value);
  }

  delete(key: K): void {
    this.drops++;
    this.entries.delete(key);
  }

  clear(): void {
    this.drops++;
    this.entries.clear();
  }
}
