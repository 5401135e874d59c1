// Child-process entry: runs dynalite off the runtime's event loop (see startDynamo in dynamo.ts).
// Self-contained (node: imports only, erasable types) so Node can run it directly as TypeScript.
// Usage: node dynamo-server.ts [--data DIR]; prints {"port":N} on stdout once listening. With an IPC
// channel, answers the message "counts" with { counts: { "<X-Amz-Target operation>": n } }: every
// request dynalite received, so callers can count DynamoDB calls where they land.
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

type DynaliteFactory = (options: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

const SHUTDOWN_GRACE_MS = 3000;

const dataIndex = process.argv.indexOf('--data');
const path = dataIndex >= 0 ? process.argv[dataIndex + 1] : undefined;

const server = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(path ? { path } : {}),
});

const counts: Record<string, number> = {};
subscribe('http.server.request.start', (message) => {
  const target = (message as { request?: IncomingMessage }).request?.headers['x-amz-target'];
  const op = typeof target === 'string' ? target.slice(target.lastIndexOf('.') + 1) : '(none)';
  counts[op] = (counts[op] ?? 0) + 1;
});
process.on('message', (message) => {
  if (message === 'counts') process.send?.({ counts });
});
// The IPC channel must not keep this process alive on its own; stdin does that.
process.channel?.unref();

let closing = false;
function shutdown(): void {
  if (closing) return;
  closing = true;
  // Closing the server also closes LevelDB, so on-disk data is flushed before the process ends.
  setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
  server.closeAllConnections();
  server.close(() => process.exit(0));
}

process.on('SIGTERM', shutdown);
// Ctrl-C reaches the whole process group: the parent stops us in order, so ignore it here.
process.on('SIGINT', () => undefined);
// The parent holds our stdin open; when it ends (parent gone, even by SIGKILL) nothing is orphaned.
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();

server.once('error', (error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
