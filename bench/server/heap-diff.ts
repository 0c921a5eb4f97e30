/**
 * `npx tsx bench/server/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> <units>`: where the
 * memory goes, per idle client or per call. Reads two V8 heap snapshots of one server (`npm run
 * bench:server -- --heap-snapshots` writes them at rest, with the idle clients, and around a soak), adds
 * up the objects' own sizes by kind and constructor (or, for strings and code, by kind), and prints what
 * grew divided by `units` (the clients that connected between the two, or the soak's invites), biggest
 * first. Own sizes, not retained ones: each byte is counted once, under the object that holds it.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** What a group's name is made of: the node's kind, and its constructor for objects and closures. */
function groupName(type: string, name: string): string {
  if (type === 'object' || type === 'closure') return `${type} ${name}`;
  if (type === 'array' || type === 'hidden' || type === 'native') return `${type} ${name.slice(0, 60)}`;
  return type; // strings, numbers, code: the name is the value or the function
}

/** Own size and count per group. */
function tally(file: string): Map<string, { bytes: number; count: number }> {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const groups = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < heap.nodes.length; i += fields.length) {
    const key = groupName(types[heap.nodes[i + typeAt]!]!, heap.strings[heap.nodes[i + nameAt]!]!);
    const group = groups.get(key) ?? { bytes: 0, count: 0 };
    group.bytes += heap.nodes[i + sizeAt]!;
    group.count++;
    groups.set(key, group);
  }
  return groups;
}

const [beforeFile, afterFile, unitsText] = process.argv.slice(2);
const units = Number(unitsText);
if (!beforeFile || !afterFile || !(units > 0)) {
  console.error(
    'usage: heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> <clients or invites between them>',
  );
  process.exit(2);
}
const [before, after] = [tally(beforeFile), tally(afterFile)];
const rows = [...after]
  .map(([key, a]) => {
    const b = before.get(key) ?? { bytes: 0, count: 0 };
    return { key, bytes: (a.bytes - b.bytes) / units, count: (a.count - b.count) / units };
  })
  .sort((x, y) => y.bytes - x.bytes);
const total = rows.reduce((n, r) => n + r.bytes, 0);
console.log(`own sizes grown, divided by ${units}: ${(total / 1024).toFixed(2)} KiB in all\n`);
console.log(`${'bytes'.padStart(8)} ${'objects'.padStart(8)}  kind and constructor`);
for (const r of rows.filter((r) => Math.abs(r.bytes) >= 16))
  console.log(`${r.bytes.toFixed(0).padStart(8)} ${r.count.toFixed(2).padStart(8)}  ${r.key}`);
