// CONNECT as TS-0010 6.3.3 wants it: a unique ClientId, Clean Session false, no Will, TLS with a
// TS-0003 SAEF (7.3: client certificate or pre-shared key), QoS 1 for every PUBLISH (6.4.1.1).
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { IClientOptions } from 'mqtt';

/** TLS credentials towards the broker (TS-0010 7.3). */
export interface MqttTlsOptions {
  /** CA certificates that issued the broker's certificate (PEM). */
  ca?: string | string[];
  /** Client certificate and key (PEM): the certificate-based SAEF. */
  cert?: string;
  key?: string;
  /** Pre-shared key and its identity (KpsaID / Credential-ID): the provisioned symmetric key SAEF. */
  psk?: { identity: string; key: Uint8Array };
  /** TLS SNI / name to check in the broker's certificate (default: the URL's host). */
  servername?: string;
  /** Cipher list (OpenSSL syntax); default with psk: TLS 1.2 PSK suites. */
  ciphers?: string;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Default with psk: 'TLSv1.2' (TS-0010 6.2 names TLS 1.2; mosquitto's PSK suites are TLS 1.2 ones). */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface MqttConnectOptions {
  /** Broker URL: mqtt://host:port or mqtts://host:port (6.6; default ports 1883 / 8883). */
  url: string;
  /**
   * Further nodes of the same clustered broker, tried in turn after `url` whenever the connection is lost
   * (and at the first connect when `url` does not answer). Same scheme as `url`: one TLS credential for all.
   * The session (Clean Session false) carries over when the cluster replicates it; otherwise the client
   * subscribes again and the originator re-sends what is unanswered (docs/mqtt-cluster.md).
   */
  failover?: string[];
  /** TS-0010 6.3.3: 'A::<AE-ID>' / 'C::<CSE-ID>' (clientIdForAe / clientIdForCse), or another unique ID before registration. */
  clientId: string;
  tls?: MqttTlsOptions;
  /** MQTT protocol level: 4 (3.1.1, the one TS-0010 profiles; default) or 5 (PUBACK reason codes). */
  protocolVersion?: 4 | 5;
  /** Keep Alive in seconds (6.3.3 allows 0); default 60. */
  keepaliveSeconds?: number;
  connectTimeoutMs?: number;
  /** Reconnect delay after a lost connection in ms; 0 disables reconnection. Default 1000. */
  reconnectPeriodMs?: number;
}

export const defaultPskCiphers = 'PSK-AES128-GCM-SHA256:PSK-AES128-CBC-SHA256:ECDHE-PSK-AES128-CBC-SHA256';

/** The broker nodes in the order they are tried: `url` first. */
export function brokerUrls(o: Pick<MqttConnectOptions, 'url' | 'failover'>): string[] {
  const urls = [o.url, ...(o.failover ?? [])];
  const scheme = new URL(o.url).protocol;
  for (const u of urls) {
    const parsed = new URL(u);
    if (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'mqtts:')
      throw new TypeError(`broker URL '${u}' is not mqtt(s)://`);
    // A fallback in the clear behind a TLS url would hand the session to whoever answers there.
    if (parsed.protocol !== scheme) throw new TypeError(`broker URL '${u}' does not use the scheme of '${o.url}'`);
  }
  return urls;
}

/**
 * MQTT.js keeps the TLS server name of the first node for every later one, so each node's certificate would be
 * checked against the first node's name. Instead the certificate must be valid for one of the listed nodes:
 * what the client needs to know is that it reached a node of its cluster (TLS still checks the chain).
 */
function anyNodeIdentity(urls: string[]): (host: string, cert: PeerCertificate) => Error | undefined {
  const hosts = [...new Set(urls.map((u) => new URL(u).hostname))];
  return (_host, cert) => {
    let first: Error | undefined;
    for (const h of hosts) {
      const e = checkServerIdentity(h, cert);
      if (e === undefined) return undefined;
      first ??= e;
    }
    return first;
  };
}

export function mqttClientOptions(o: MqttConnectOptions): IClientOptions {
  const urls = brokerUrls(o);
  const opts: IClientOptions = {
    clientId: o.clientId,
    clean: false,
    protocolVersion: o.protocolVersion ?? 4,
    keepalive: o.keepaliveSeconds ?? 60,
    connectTimeout: o.connectTimeoutMs ?? 10_000,
    reconnectPeriod: o.reconnectPeriodMs ?? 1_000,
    // Neither username nor password (TS-0010 7.3: the password field is not used; TLS authenticates).
  };
  if (urls.length > 1) {
    // MQTT.js connects to servers[0] and moves to the next one on every reconnect, round the list.
    opts.servers = urls.map((u) => {
      const p = new URL(u);
      const protocol = p.protocol === 'mqtts:' ? 'mqtts' : 'mqtt';
      return { host: p.hostname, port: p.port ? Number(p.port) : protocol === 'mqtts' ? 8883 : 1883, protocol };
    });
  }
  const t = o.tls;
  if (t !== undefined) {
    const tls: Record<string, unknown> = {};
    if (t.ca !== undefined) tls.ca = t.ca;
    if (t.cert !== undefined) tls.cert = t.cert;
    if (t.key !== undefined) tls.key = t.key;
    if (t.servername !== undefined) tls.servername = t.servername;
    tls.minVersion = t.minVersion ?? 'TLSv1.2';
    if (t.psk !== undefined) {
      const { identity, key } = t.psk;
      const psk = Buffer.from(key);
      tls.pskCallback = () => ({ psk, identity });
      tls.ciphers = t.ciphers ?? defaultPskCiphers;
      tls.maxVersion = t.maxVersion ?? 'TLSv1.2';
      // A PSK handshake has no server certificate: the shared key authenticates the broker.
      if (t.ca === undefined) tls.checkServerIdentity = () => undefined;
    } else {
      if (t.ciphers !== undefined) tls.ciphers = t.ciphers;
      if (t.maxVersion !== undefined) tls.maxVersion = t.maxVersion;
      if (urls.length > 1 && t.servername === undefined) tls.checkServerIdentity = anyNodeIdentity(urls);
    }
    Object.assign(opts, tls);
  }
  return opts;
}
