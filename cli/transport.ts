/**
 * The API key is a bearer credential: sent over plain http:// it can be read by anyone on the path.
 * So the CLI sends it in clear text only to loopback (the local runtime), unless `--insecure` says the
 * user accepts that. Checked before any connection is made.
 */
import { isIP } from 'node:net';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

/** Plain http:// to a host that is not loopback, without --insecure. */
class InsecureUrlError extends CliError {
  constructor(message: string, hint: string) {
    super(message, { code: 'insecure_url', status: 0, retryable: false, exitCode: EXIT.usage }, { hint });
  }
}

/** `localhost`, `*.localhost` (RFC 6761), 127.0.0.0/8 and ::1; hostnames as `URL.hostname` gives them. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Throws unless the key may be sent to `apiUrl`: https://, http:// to loopback, or `insecure`. */
function assertKeyMayTravel(apiUrl: string, options: { insecure: boolean }): void {
  const url = new URL(apiUrl);
  if (url.protocol !== 'http:' || options.insecure || isLoopbackHost(url.hostname)) return;
  throw new InsecureUrlError(
    `Refusing to send the API key over plain http:// to ${url.host}: anyone on the network path could read it`,
    'Use an https:// URL, or pass --insecure if you accept sending the key in clear text.',
  );
}

export { assertKeyMayTravel, isLoopbackHost };
