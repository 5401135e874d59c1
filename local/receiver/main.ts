// `npm run receiver`: the demo webhook receiver on a local port.
//   npm run receiver -- [--port 4000] [--secret whsec_...]... (or HERALD_RECEIVER_SECRET)
import { parseArgs } from 'node:util';
import { startReceiver } from './receiver.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '4000' }, secret: { type: 'string', multiple: true } },
});
const secrets =
  values.secret ?? (process.env.HERALD_RECEIVER_SECRET ? process.env.HERALD_RECEIVER_SECRET.split(',') : []);
const receiver = await startReceiver({
  port: Number(values.port),
  secrets,
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(
  `receiver on ${receiver.url} — POST any path with a webhook; GET /received lists them; POST /control {"status":503,"times":2,"delayMs":0,"retryAfter":"1"} ({"recover":true}: answer 200 again, keep the list; {"reset":true}: also forget the list)\n` +
    (secrets.length
      ? `verifying with ${secrets.length} secret(s)\n`
      : 'no secret given: signatures are NOT verified (pass --secret whsec_...)\n'),
);
const stop = () => void receiver.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
