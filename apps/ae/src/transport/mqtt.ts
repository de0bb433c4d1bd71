// Mca over MQTT (TS-0010): one session (ClientId A::<AE-ID>, 6.3.3) for requests, the first
// registration over reg_req under the broker-verified Credential-ID (6.4.4), and incoming requests
// (notifications) on /oneM2M/req/+/<AE-ID>/json through the binding's receiver side.
import {
  clientIdForAe,
  createMqttBinding,
  type MqttBinding,
  MqttConnection,
  MqttOriginator,
} from '@m2msec/binding-mqtt';
import type { MqttTransportOptions } from '../options.js';
import type { AeTransport } from './types.js';

export async function openMqttTransport(
  o: MqttTransportOptions,
  registrar: { cseId: string },
  stem: string,
  spId: string,
  timeoutMs: number,
): Promise<AeTransport> {
  const connection = await MqttConnection.connect({
    url: o.url,
    ...(o.failover ? { failover: o.failover } : {}),
    clientId: clientIdForAe(stem),
    tls: o.tls,
  });
  const credentialId = o.credentialId ?? o.tls.psk?.identity;
  const originator = await MqttOriginator.open({
    connection,
    originator: stem,
    ...(credentialId ? { credentialId } : {}),
    receiver: registrar.cseId,
    timeoutMs,
  });
  let receiver: MqttBinding | undefined;
  return {
    send: (req) => originator.send(req),
    register: (req) => (credentialId ? originator.register(req) : originator.send(req)),
    async listen(aeId, onRequest) {
      receiver = await createMqttBinding({
        connection,
        cseId: registrar.cseId,
        receiverId: aeId,
        spId,
        registration: false,
        handler: (req) => onRequest(req),
      });
      // The registrar resolves the AE-ID through this poa to the broker (TS-0010 6.6).
      return o.poa ?? [o.url];
    },
    async close() {
      await receiver?.close();
      await originator.close();
      await connection.close();
    },
  };
}
