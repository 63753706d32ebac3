// The load of bench/fairness/nested-attack.sh: the victim reads for 15 s alone, then for 15 s while 20
// loops of the attacker send the nested document (PAUSE_MS between one loop's requests). A process
// of its own, never inside a server.
const [a, b] = ["http://127.0.0.1:4801", "http://127.0.0.1:4802"];
const { attacker, victim } = JSON.parse(process.argv[2]);
const doc = (p) =>
  `{ project(id:"${p}"){ workspaces(first:2){ edges{ node{ id project{ workspaces(first:2){ edges{ node{ id project{ workspaces(first:2){ edges{ node{ id }}}}}}}}}}}}}`;
async function victimRun(ms) {
  const lat = [];
  const end = Date.now() + ms;
  let i = 0;
  const codes = {};
  while (Date.now() < end) {
    const t = performance.now();
    const r = await fetch(`${i++ % 2 ? a : b}/workspaces/${victim.ws}`, {
      headers: { authorization: `Bearer ${victim.token}` },
    });
    await r.text();
    codes[r.status] = (codes[r.status] ?? 0) + 1;
    lat.push(performance.now() - t);
    await new Promise((res) => setTimeout(res, 20));
  }
  lat.sort((x, y) => x - y);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(1);
  return { n: lat.length, p50: q(0.5), p99: q(0.99), codes };
}
let stop = false;
const attackCodes = {};
let attacks = 0;
async function attackLoop(url) {
  while (!stop) {
    const r = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { authorization: `Bearer ${attacker.token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: doc(attacker.project) }),
    });
    await r.text();
    attackCodes[r.status] = (attackCodes[r.status] ?? 0) + 1;
    attacks++;
    await new Promise((res) => setTimeout(res, Number(process.env.PAUSE_MS ?? 0)));
  }
}
const base = await victimRun(15000);
const loops = Array.from({ length: 20 }, (_, i) => attackLoop(i % 2 ? a : b));
const loaded = await victimRun(15000);
stop = true;
await Promise.all(loops);
console.log(
  JSON.stringify({
    unloaded: base,
    underAttack: loaded,
    attackRequests: attacks,
    attackCodes,
    ratioP99: (loaded.p99 / base.p99).toFixed(2),
  }),
);
