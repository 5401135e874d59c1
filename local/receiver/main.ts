// `npm run receiver`: the demo webhook receiver on a local port.
//   npm run receiver -- [--port 4000] [--secret whsec_...|whpk_...]... (or HERALD_RECEIVER_SECRET)
//                       [--jwks http://127.0.0.1:3000/v1/tenants/t_1/jwks.json] (v1a keys from the key set)
import { parseFlags } from '../cli-args.js';
import { startReceiver } from './receiver.js';

const USAGE = `Usage: npm run receiver -- [--port 4000] [--secret whsec_...|whpk_...]... [--jwks <url>]

A demo webhook receiver on 127.0.0.1. Verifies signatures with each --secret (or the comma-separated
HERALD_RECEIVER_SECRET) and v1a signatures with the keys of --jwks; GET /received lists what arrived;
POST /control sets the next answers.`;

const values = parseFlags(
  {
    port: { type: 'string', default: '4000' },
    secret: { type: 'string', multiple: true },
    jwks: { type: 'string' },
  },
  USAGE,
);
const secrets =
  values.secret ?? (process.env.HERALD_RECEIVER_SECRET ? process.env.HERALD_RECEIVER_SECRET.split(',') : []);
const receiver = await startReceiver({
  port: Number(values.port),
  secrets,
  ...(values.jwks !== undefined ? { jwksUrl: values.jwks } : {}),
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(
  `receiver on ${receiver.url} — POST any path with a webhook; GET /received lists them; POST /control {"status":503,"times":2,"delayMs":0,"retryAfter":"1"} ({"recover":true}: answer 200 again, keep the list; {"reset":true}: also forget the list)\n` +
    (secrets.length || values.jwks
      ? `verifying with ${secrets.length} secret(s)/public key(s)${values.jwks ? ` and the keys of ${values.jwks}` : ''}\n`
      : 'no secret given: signatures are NOT verified (pass --secret whsec_... or whpk_..., or --jwks <url>)\n'),
);
const stop = () => void receiver.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
