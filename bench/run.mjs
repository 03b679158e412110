// `npm run bench`: every benchmark in one run, on this machine, printed as markdown
// (the figures in BENCHMARKS.md come from this output). BENCH_ONLY=overhead,grants,cli,sandbox,startup,paginate
// runs a subset.
import { writeFileSync } from "node:fs";
import { benchCli, printCli } from "./cli.mjs";
import { benchGrants, printGrants } from "./grants.mjs";
import { machine } from "./lib.mjs";
import { benchOverhead, printOverhead } from "./overhead.mjs";
import { benchPaginate, printPaginate } from "./paginate.mjs";
import { benchSandbox, printSandbox } from "./sandbox.mjs";
import { benchStartup, printStartup } from "./startup.mjs";

const suites = {
  overhead: [benchOverhead, printOverhead],
  grants: [benchGrants, printGrants],
  cli: [benchCli, printCli],
  sandbox: [benchSandbox, printSandbox],
  startup: [benchStartup, printStartup],
  paginate: [benchPaginate, printPaginate],
};
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());

const info = machine();
console.log(
  `## passgrant benchmarks\n\nMachine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.platform}, Node ${info.node}\n`,
);
const results = { machine: info, date: new Date().toISOString() };
for (const [name, [run, print]] of Object.entries(suites)) {
  if (only && !only.includes(name)) continue;
  results[name] = await run();
  print(results[name]);
}
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
