// A workload for heap-growth.test.ts: 300,000 objects kept, then 60 rounds replacing 50,000
// objects that survive a scavenge or two (so they reach the old space) and die. Sets the V8 flag
// given as its argument after start-up, as keepHeapNearUse does, and prints the largest heap
// V8 took, in bytes.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

const flag = process.argv[2];
if (flag) setFlagsFromString(flag);
const kept = [];
for (let index = 0; index < 300_000; index += 1) kept.push({ index, text: `kept ${index}` });
const ring = new Array(50_000);
let largest = 0;
for (let round = 0; round < 60; round += 1) {
  for (let index = 0; index < ring.length; index += 1) ring[index] = { index, pair: [index, index + 1], text: `ring ${index}` };
  largest = Math.max(largest, getHeapStatistics().total_heap_size);
}
process.stdout.write(`${largest} ${kept.length}\n`);
