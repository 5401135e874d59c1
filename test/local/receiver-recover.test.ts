import { afterEach, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../../local/receiver/receiver.js';

describe('demo receiver: ending an outage', () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
  });
  const post = (r: Receiver, id: string) =>
    fetch(`${r.url}/hook`, {
      method: 'POST',
      headers: { 'webhook-id': id, 'content-type': 'application/json' },
      body: '{}',
    });
  const received = async (r: Receiver) =>
    ((await (await fetch(`${r.url}/received`)).json()) as { count: number }).count;

  it('recover answers 200 again and keeps what was received; reset forgets it', async () => {
    receiver = await startReceiver();
    expect((await post(receiver, 'msg_1')).status).toBe(200);
    receiver.control({ status: 503, times: 'always' });
    expect((await post(receiver, 'msg_2')).status).toBe(503);
    receiver.control({ recover: true });
    expect((await post(receiver, 'msg_2')).status).toBe(200);
    expect(await received(receiver)).toBe(2);
    receiver.control({ reset: true });
    expect(await received(receiver)).toBe(0);
    expect((await post(receiver, 'msg_3')).status).toBe(200);
  });
});
