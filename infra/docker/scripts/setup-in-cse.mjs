// The IN-CSE operator's part of scenario (a): an ACP that lets the MN-CSE's device write and Cae2
// read, and the container it governs. Idempotent (4105 on a second run is fine).
const base = process.env.IN_CSE_URL ?? 'http://in-cse:8080';
let n = 0;
async function create(ty, body) {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await fetch(`${base}/cse-in`, {
        method: 'POST',
        headers: {
          'X-M2M-Origin': 'CAdmin',
          'X-M2M-RI': `setup-${++n}`,
          'X-M2M-RVI': '3',
          'Content-Type': `application/json;ty=${ty}`,
        },
        body: JSON.stringify(body),
      });
      const rsc = Number(r.headers.get('X-M2M-RSC'));
      if (rsc !== 2001 && rsc !== 4105) throw new Error(`answered ${rsc}: ${await r.text()}`);
      console.log(`created ${Object.keys(body)[0]} (${rsc})`);
      return;
    } catch (e) {
      if (attempt > 60) throw e;
      await new Promise((res) => setTimeout(res, 1000));
    }
  }
}
await create(1, {
  'm2m:acp': {
    rn: 'acpData',
    pv: {
      acr: [
        { acor: ['/id-mn/Cae1'], acop: 3 },
        { acor: ['/id-in/Cae2'], acop: 2 },
      ],
    },
    pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
  },
});
await create(3, { 'm2m:cnt': { rn: 'data', mni: 100, acpi: ['cse-in/acpData'] } });
