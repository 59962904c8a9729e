// `npm run fuzz`: schemathesis (from PyPI, in a virtualenv in the tool cache) against the whole
// OpenAPI document of a real stack (the one the benchmarks start), once per role. Exits non-zero
// when any call answers a server error or breaks the document.
import { spawn } from 'node:child_process';
import { startStack } from '../bench/lib/stack';
const { ensureSchemathesis, say } = require('./lib/tools');

async function main() {
  const schemathesis: string = ensureSchemathesis();
  // Limits high enough that the fuzzer measures the API, not the rate limiter (tested on its own).
  const stack = await startStack({ baselineActivities: {}, log: say, rateLimits: { perKeyPerMinute: 1e6, perAddressPerMinute: 1e6, signupsPerHour: 1e6 } });
  let failed = false;
  try {
    // A configured world, so generated calls reach real lead types, partners and leads.
    const leadType = await stack.call('POST', '/lead-types', { name: 'fuzz', fields: [{ name: 'name', type: 'string', required: true }, { name: 'phone', type: 'string', encrypted: true }], referralMethod: 'manual', defaultPriceMinor: 1000 });
    const partner = await stack.call('POST', '/partners', { name: 'fuzz partner', email: 'fuzz@partner.example', timezone: 'Europe/London', delivery: { type: 'portal' }, type: 'both', introducerLeadTypeIds: [leadType.id] });
    const profile = await stack.call('POST', '/profiles', { leadTypeId: leadType.id, name: 'fuzz', strategy: 'first_match', enabled: true });
    await stack.call('POST', `/profiles/${profile.id}/assignments`, { partnerId: partner.id, priority: 1 });
    await stack.call('POST', '/leads', { leadType: 'fuzz', fields: { name: 'Ada', phone: '+447700900123' } }, undefined, 202);
    const keys = {
      operator: stack.operatorKey,
      agent: (await stack.call('POST', '/api-keys', { name: 'fuzz agent', role: 'agent' })).key,
      partner: (await stack.call('POST', '/api-keys', { name: 'fuzz partner', role: 'partner', partnerId: partner.id })).key,
    };
    const maxExamples = process.env.FUZZ_EXAMPLES ?? '25';
    for (const [role, key] of Object.entries(keys)) {
      say(`fuzzing every operation as ${role} (${maxExamples} examples each)...`);
      // Asynchronously: the API under test runs in this process's event loop.
      const status = await new Promise<number | null>((resolve) => spawn(schemathesis, [
        'run', `${stack.apiUrl}/openapi.json`, '--header', `Authorization: Bearer ${key}`,
        '--checks', 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection',
        '--max-examples', maxExamples, '--workers', '2', '--rate-limit', 'auto', '--no-color',
      ], { stdio: 'inherit', env: { ...process.env, SCHEMATHESIS_TELEMETRY: 'false' } }).on('close', resolve));
      if (status !== 0) failed = true;
    }
  } finally {
    await stack.stop();
  }
  say(failed ? 'fuzzing found failures (above)' : 'fuzzing found no failures');
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  say(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
