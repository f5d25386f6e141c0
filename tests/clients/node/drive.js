// Drives connectwise-rest, unchanged, through the steps a test gives it; run by
// tests/emulator/native/test_node_client.py (docs/tls.md#real-clients).
//
// stdin: {"site": "127.0.0.1:PORT", "company", "publicKey", "privateKey", "clientId", "steps": [...]}, where a step is
//   {"call": "getCompanyContactsById", "args": [7]}          -> cwm.CompanyAPI.getCompanyContactsById(7)
//   {"paginate": "getCompanyContacts", "options": {...}, "args": [{...}]}
//                                                          -> cwm.paginate(cwm.CompanyAPI.getCompanyContacts, ...)
// stdout: one JSON array, a {"result": ...} or {"error": {"status", "data", "message"}} per step.
// The keys come in on stdin, not in argv, so they never show in a process listing. The CA to trust comes from
// NODE_EXTRA_CA_CERTS, node's own setting: the client is not told anything a real deployment would not tell it.
'use strict';

const { ManageAPI } = require('connectwise-rest');

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function run(cwm, step) {
  if (step.paginate) {
    const method = cwm.CompanyAPI[step.paginate];
    return cwm.paginate(method, step.options || {}, ...(step.args || [{}]));
  }
  const method = cwm.CompanyAPI[step.call];
  if (typeof method !== 'function') throw new Error(`CompanyAPI has no method ${step.call}`);
  return method.apply(cwm.CompanyAPI, step.args || []);
}

async function main() {
  const input = await readStdin();
  const cwm = new ManageAPI({
    companyId: input.company,
    companyUrl: input.site,
    publicKey: input.publicKey,
    privateKey: input.privateKey,
    clientId: input.clientId,
  });
  const results = [];
  for (const step of input.steps) {
    try {
      results.push({ result: await run(cwm, step) });
    } catch (error) {
      if (error instanceof Error) throw error;
      results.push({ error: { status: error.status, data: error.data, message: error.message } });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`drive.js: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
