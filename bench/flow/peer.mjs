// The same definitions as bench/flow_bench.cc, run by aws-local-stepfunctions (the
// npm package users reach for to run Step Functions locally). Prints one JSON line per
// case: {"case", "transitions_per_second", "median_ms"}.
import { StateMachine } from 'aws-local-stepfunctions';

function passChain(n, withData = false) {
  const States = {};
  for (let i = 0; i < n; i++) {
    States[`P${i}`] = i + 1 < n ? { Type: 'Pass', Next: `P${i + 1}` } : { Type: 'Pass', End: true };
    if (withData) States[`P${i}`].Parameters = { 'n.$': '$.n', step: i };
  }
  return { StartAt: 'P0', States };
}
const map1000 = {
  StartAt: 'M',
  States: { M: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } },
};
const items = { items: Array.from({ length: 1000 }, (_, i) => ({ i })) };

async function measure(name, definition, input, transitions, seconds) {
  const machine = new StateMachine(definition);
  const times = [];
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline || times.length < 5) {
    const t0 = performance.now();
    await machine.run(input).result;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(JSON.stringify({ case: name, runs: times.length, median_ms: median, transitions_per_second: (transitions * 1000) / median }));
}

await measure('PassChain10', passChain(10), {}, 10, 3);
await measure('PassChain10Data', passChain(10, true), { n: 1 }, 10, 3);
await measure('Map1000', map1000, items, 1001, 3);
await measure('StartOneState', passChain(1), {}, 1, 3);
