// What a reference AE needs: its registrar, the way it reaches it with which SAEF credential
// (TS-0003 8.2 over HTTP, TS-0010 7.3 over MQTT), and what it does once registered.
import type { Agent } from 'node:https';
import type { MqttTlsOptions } from '@m2msec/binding-mqtt';
import type { JweRecipient, JwsSigner } from '@m2msec/esdata';
import type { SaefClientFramework } from '@m2msec/saef';
import type { EscertkeKeystoreOptions } from './escertke-keystore.js';
import type { EsdataMafOptions } from './esdata-maf.js';
import type { EsdataTargetOptions } from './esdata-target.js';
import type { EsprimMafOptions } from './esprim-maf.js';

export interface HttpTransportOptions {
  kind: 'http';
  /** Base URL of the registrar's HTTP binding, with the mount prefix, e.g. 'http://gw:8081/onem2m'. */
  url: string;
  /** SAEF credential for an https URL (PSK, certificate, ...). */
  framework?: SaefClientFramework;
  /** The embedder's agent for it, whose credential may be switched at run time (@m2msec/device-config). */
  httpsAgent?: Agent;
  /** Where this AE receives notifications (an HTTP listener it opens); absent: no notifications. */
  notify?: {
    host: string;
    port: number /** URL advertised as poa; default http://host:port/notify */;
    publicUrl?: string;
  };
}

export interface MqttTransportOptions {
  kind: 'mqtt';
  /** Broker URL, e.g. 'mqtts://broker:8884'. */
  url: string;
  /** Further nodes of the same clustered broker, tried in turn when the connection is lost (docs/mqtt-cluster.md). */
  failover?: string[];
  /** The AE's credential towards the broker: a PSK (Credential-ID as identity) or a certificate. */
  tls: MqttTlsOptions;
  /** Register over reg_req under this Credential-ID (TS-0010 6.4.4); default: the PSK identity. */
  credentialId?: string;
  /**
   * Point of access advertised for notifications: the broker as the registrar reaches it (TS-0010
   * 6.6); default `url`. Differs when the registrar uses another listener of the same broker.
   */
  poa?: string[];
}

export interface CoapTransportOptions {
  kind: 'coap';
  /** The registrar's coaps point of access, e.g. 'coaps://gw:5684' (TS-0008 over DTLS 1.2). */
  url: string;
  /** DTLS credential: a PSK (KpsaID or DerivedKey identity and key), or a certificate with the server's CA. */
  psk?: { identity: string; key: Buffer };
  certificate?: { certPem: string; keyPem: string; caPem: string };
}

export interface ContainerOptions {
  /** resourceName of the container created under the AE. */
  rn: string;
  /** Access rules of an <accessControlPolicy> created beside it and named in its acpi. */
  acp?: Array<{ acor: string[]; acop: number }>;
  /** maxNrOfInstances. */
  mni?: number;
}

/**
 * End-to-end security (docs/end-to-end-security.md). `esprim`: requests whose To lies at the Target CSE
 * (the CSE whose <CSEBase> is `targetCseBase`, SP-relative, e.g. '/id-in/cse-in') travel as ESPrim Objects
 * (TS-0003 8.4) in outer NOTIFYs to that <CSEBase>, keyed by a pre-provisioned pairwiseESPrimKey (8.4.2 A)
 * whose identity at the Target is this AE's AE-ID, or established with the Target by ESCertKE (8.7) at the
 * first such request. `esdata`: `con` of the contentInstances this AE posts is an ESData JWE (TS-0003 8.5,
 * compact serialization, 'dir' with A256GCM) under a symmetric key `kid`. Over every transport: the outer
 * NOTIFY is retargeted by its To (TS-0009 6.2.2.1; MQTT and CoAP carry To unchanged).
 */
export interface EndToEndOptions {
  /** A pre-provisioned pairwiseESPrimKey, or ESCertKE credentials to establish one with the Target (TS-0003 8.7). */
  esprim?:
    | { kid: string; key: Uint8Array; targetCseBase: string }
    | {
        escertke: {
          cert: string;
          key: string;
          ca: string[];
          spId: string;
          /** Keep the established key across the AE's restarts in this Secure Environment. */
          keystore?: EscertkeKeystoreOptions;
        };
        targetCseBase: string;
      }
    | {
        /** The MAF ESPrim Framework (TS-0003 8.4.2 A, SUID 33): a key from a MAF Key Registration for the Target. */
        maf: EsprimMafOptions;
        targetCseBase: string;
      };
  /**
   * ESData of `con` (TS-0003 8.5): a recipient (encrypt), a signer (sign), or both (Nested-Sign-then-
   * Encrypt, 8.5.3.4); keys as raw bytes (symmetric) or KeyObjects (RSA / EC), algorithms of 8.5.3.
   */
  esdata?: {
    recipient?: JweRecipient;
    signer?: JwsSigner;
    /** The recipient is a Source-generated key registered at a MAF (TS-0003 8.6.3, 8.8.2.7, SUID 34). */
    maf?: EsdataMafOptions;
  };
  /** This AE as ESData Target: opens the con of the contentInstances it retrieves (TS-0003 8.5.2). */
  esdataTarget?: EsdataTargetOptions;
}

export interface AeOptions {
  /** SP-relative CSE-ID and <CSEBase> name of the registrar, e.g. '/id-mn', 'cse-mn'. */
  registrar: { cseId: string; cseBaseName: string };
  transport: HttpTransportOptions | MqttTransportOptions | CoapTransportOptions;
  /** AE-ID-Stem to ask for ('Cae1'); absent: 'C' (the registrar assigns one; HTTP only). */
  stem?: string;
  /** App-ID (api), e.g. 'Nsensor'. */
  appId: string;
  container?: ContainerOptions;
  /** Where contentInstances go: default the own container; may be another CSE's, e.g. '/id-in/cse-in/data'. */
  postTo?: string;
  /** Subscribe to the own container and report its notifications. */
  subscribe?: boolean;
  /** Time to wait for each response (ms); default 10000. */
  requestTimeoutMs?: number;
  endToEnd?: EndToEndOptions;
}
