// `npm start`: synthesizes Herald and runs it locally until Ctrl-C.
//   npm start -- [--port 3000] [--time-scale 0.01] [--data DIR] [--quiet] [--skip-synth] [--outdir DIR]
import { parseFlags } from './cli-args.js';
import { PortInUseError } from './http-api.js';
import { byDisplayName, type HeraldLocal, startHerald } from './runtime.js';
import { parseSfnQuotas, type SfnQuotas } from './sfn-quotas.js';

const USAGE = `Usage: npm start -- [flags]

Runs Herald on this machine (every port on 127.0.0.1) until Ctrl-C; writes .herald/local.json.

  --port <n>          HTTP API port (default 3000)
  --time-scale <x>    scale retry waits and timeouts, e.g. 0.01 (default 1, or HERALD_LOCAL_TIME_SCALE)
  --data <dir>        keep DynamoDB and SQS/SNS state (and the admin key) in <dir> across restarts
  --quiet             no function logs or metrics line
  --skip-synth        run the assembly already in --outdir
  --outdir <dir>      cloud assembly directory (default cdk.out.local)
  --sfn-quotas <q>    play Step Functions' account quotas (off by default): aws, or
                      open=N,start=BURST/REFILL,transitions=BURST/REFILL (e.g. open=50,start=13/3)
  -h, --help          this help`;

const values = parseFlags(
  {
    port: { type: 'string', default: '3000' },
    'time-scale': { type: 'string' },
    data: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    'skip-synth': { type: 'boolean', default: false },
    outdir: { type: 'string', default: 'cdk.out.local' },
    'sfn-quotas': { type: 'string' },
  },
  USAGE,
);

const timeScale = Number(values['time-scale'] ?? process.env.HERALD_LOCAL_TIME_SCALE ?? 1);
if (!Number.isFinite(timeScale) || timeScale <= 0) {
  process.stderr.write('--time-scale must be a positive number\n');
  process.exit(2);
}

let sfnQuotas: SfnQuotas | undefined;
try {
  sfnQuotas = values['sfn-quotas'] === undefined ? undefined : parseSfnQuotas(values['sfn-quotas']);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

process.stdout.write(
  `herald local: ${values['skip-synth'] ? 'loading' : 'synthesizing'} ${values.outdir} ...\n`,
);
let herald: HeraldLocal;
try {
  herald = await startHerald({
    port: Number(values.port),
    timeScale,
    quiet: values.quiet,
    skipSynth: values['skip-synth'],
    outdir: values.outdir,
    ...(values.data ? { dataDir: values.data } : {}),
    ...(sfnQuotas !== undefined ? { sfnQuotas } : {}),
    // Function logs and the metrics line still show unless --quiet.
    log: (line) => {
      if (!values.quiet) process.stdout.write(`${line}\n`);
    },
  });
} catch (error) {
  // startHerald has stopped whatever it started (dynalite's child process included) before throwing.
  if (error instanceof PortInUseError) {
    process.stderr.write(
      `herald local: port ${error.port} is taken (another \`npm start\`?); choose another with \`npm start -- --port ${error.port + 1}\`\n`,
    );
  } else {
    process.stderr.write(`herald local: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
}
const named = byDisplayName(herald);

const rows: Array<[string, string]> = [
  ['HTTP API', herald.apiUrl],
  [
    'admin API key',
    herald.adminApiKey
      ? `${herald.adminApiKey.slice(0, 22)}… (full key in .herald/local.json)`
      : '(no main table found)',
  ],
  // The consumer portal is served by the HTTP API (local/http-api.ts); a tenant opens it through a link.
  ['portal', `${herald.apiUrl.replace(/\/$/, '')}/portal/  (a tenant's link: herald portal --tenant <id>)`],
  ['metrics', herald.metricsUrl],
  ['SQS/SNS (fauxqs)', herald.sqsEndpoint],
  ['DynamoDB (dynalite)', herald.dynamodbEndpoint],
  ['Step Functions', herald.sfnEndpoint],
  ['functions', Object.keys(named.functions).join(', ')],
  ['queues', Object.keys(named.queues).join(', ')],
  ['time scale', String(timeScale)],
  [
    'ready in',
    `${(herald.startupMs / 1000).toFixed(1)} s${herald.synthMs === undefined ? '' : ` (synth ${(herald.synthMs / 1000).toFixed(1)} s)`}`,
  ],
];
const width = Math.max(...rows.map(([k]) => k.length));
process.stdout.write(
  `\nHerald is running locally (state in .herald/local.json):\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n\nCtrl-C stops it.\n`,
);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) process.exit(130); // a second Ctrl-C does not wait
  stopping = true;
  process.stdout.write(`\n${signal}: stopping ...\n`);
  herald.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`stop failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
