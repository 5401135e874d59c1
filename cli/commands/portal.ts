/** `herald portal --tenant <id>`: a magic link to the consumer portal (admin or publisher key). */
import { type Command, intOption, requiredOption } from '../context.js';
import { renderFields } from '../table.js';

interface PortalLink {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly expiresAt: string;
}

const portal: Command = {
  name: 'portal',
  summary: "Print a magic link to a tenant's consumer portal (shown once)",
  usage: '--tenant <tenantId> [--expires-in <seconds, default 3600, at most 604800>]',
  options: { tenant: { type: 'string' }, 'expires-in': { type: 'string' } },
  async run(context) {
    const tenantId = requiredOption(context, 'tenant');
    const expiresIn = intOption(context, 'expires-in', 3600, 604_800);
    const link = await context
      .client()
      .request<PortalLink>('POST', '/v1/portal-links', { body: { tenantId, expiresIn } });
    context.print(
      link,
      (l) =>
        `${renderFields([
          ['url', l.url],
          ['tenant', l.tenantId],
          ['expires', l.expiresAt],
          ['id', l.id],
        ])}The link opens one session, once; revoke it with DELETE /v1/portal-links/${l.id}.\n`,
    );
  },
};

const portalCommands: readonly Command[] = [portal];

export { portalCommands };
