/**
 * Rows the hot paths read again and again (every connect, every presence announcement, every request),
 * kept in memory so that those paths do no SQLite work when nothing changed: the session lookup, the
 * user row, a user's accepted contact ids, the unseen missed-call count, the device bindings.
 *
 * One cache per database object (`readCacheOf`), holding named maps; each table owns its map and drops
 * the entries its own writes change. Writes made through another connection to the same file (the
 * admin CLI in another process, another server node) are seen through SQLite's `PRAGMA data_version`,
 * which changes when another connection commits: when it has moved, every map is emptied. It is read at
 * most once per event-loop turn, so a connect storm pays it once per turn, not per connect (a commit
 * made by another process during this turn is indistinguishable from one made just after it).
 */
import type { Db } from './database.js';

export class ReadCache {
  private readonly maps = new Map<string, Map<unknown, unknown>>();
  private readonly dataVersion: () => number;
  private version: number;
  private checkedThisTurn = false;

  constructor(db: Db) {
    const statement = db.prepare('PRAGMA data_version').pluck();
    this.dataVersion = () => statement.get() as number;
    this.version = this.dataVersion();
  }

  /** The map named `name` (the same one for every table object of this database that asks). */
  map<K, V>(name: string): CacheMap<K, V> {
    let map = this.maps.get(name);
    if (!map) this.maps.set(name, (map = new Map()));
    return new CacheMap(map as Map<K, V>, () => this.checkForeignWrites());
  }

  /** Empties every map if another connection has committed since the last check. */
  private checkForeignWrites(): void {
    if (this.checkedThisTurn) return;
    this.checkedThisTurn = true;
    setImmediate(() => (this.checkedThisTurn = false));
    const version = this.dataVersion();
    if (version === this.version) return;
    this.version = version;
    for (const map of this.maps.values()) map.clear();
  }
}

/** A map whose reads first make sure no other connection has written to the database. */
export class CacheMap<K, V> {
  constructor(
    private readonly entries: Map<K, V>,
    private readonly beforeRead: () => void,
  ) {}

  get(key: K): V | undefined {
    this.beforeRead();
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    this.entries.set(key, value);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

const caches = new WeakMap<Db, ReadCache>();

/** The read cache of this database object. */
export function readCacheOf(db: Db): ReadCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new ReadCache(db)));
  return cache;
}
