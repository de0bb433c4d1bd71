// What an embedder (or the MN-CSE process) gives createMnCse. Identity in the SP (TS-0001 7.2), the
// registrar and the SAEF credential towards it (TS-0003 8.2), the Mca bindings for AEs.

import type { Agent } from 'node:https';
import type { MqttRegistration, MqttTlsOptions } from '@m2msec/binding-mqtt';
import type { Logger, RelayTamperOptions } from '@m2msec/cse';
import type { CseESPrimTargetOptions } from '@m2msec/esprim';
import type { ServiceSubscribedAppRule } from '@m2msec/identification';
import type { SaefClientFramework } from '@m2msec/saef';
import type { Store, StoreConfig } from '@m2msec/store';
import type { InCseConfig } from './config.js';

export interface RegistrarOptions {
  /** SP-relative CSE-ID of the registrar, e.g. '/id-in'. */
  cseId: string;
  /** resourceName of its <CSEBase>, e.g. 'cse-in'. */
  cseBaseName: string;
  /** Base URL of the registrar's listener for this association, e.g. 'https://in.example:8443'. */
  url: string;
  /**
   * The SAEF credential this MN-CSE presents (TS-0003 8.2.2): certificate, PSK (Kpsa), MAF (Kc) or
   * DerivedKey. Omitted only with `plainHttp: true`.
   */
  framework?: SaefClientFramework;
  /**
   * The agent Mcc requests ride, owned by the embedder, whose credential may be switched at run time
   * (@m2msec/device-config: remote security configuration). Default: one made from `framework`.
   */
  httpsAgent?: Agent;
  /**
   * Closed labs only: talk to the registrar over plain HTTP without a security association (the
   * registrar must run with allowCseWithoutAssociation). Never chosen implicitly.
   */
  plainHttp?: boolean;
  /** Delay between registration attempts while the registrar is unreachable (ms); default 2000. */
  retryMs?: number;
  /** How often the registration is checked once done (ms; 0 disables); default 30000. */
  refreshMs?: number;
}

export interface MqttOptions {
  /** Broker URL, e.g. 'mqtts://broker:8883'. */
  url: string;
  /** Further nodes of the same clustered broker, tried in turn when the connection is lost (docs/mqtt-cluster.md). */
  failover?: string[];
  /** This CSE's TLS credential towards the broker (TS-0010 7.3). */
  tls: MqttTlsOptions;
  /** TS-0010 6.6 topic prefix; default none. */
  topicPrefix?: string;
  /** Tell the broker an AE-ID it registered over reg_req (TS-0010 7.4), e.g. rewrite the ACL. */
  onRegistration?: (r: MqttRegistration) => void | Promise<void>;
}

/**
 * The HTTPS listener of the certificate-based SAEF (TS-0003 8.2.2.2): Mcc requests the registrar forwards
 * down, and AEs with certificates (the IN-CSE's security.certificate listener).
 */
export interface MccListenerOptions {
  host?: string;
  port: number;
  /** PEM server certificate (SAN DNS:<csi>.<IN-CSE public domain>) and key. */
  cert: string | Buffer;
  key: string | Buffer;
  trustAnchors: Array<string | Buffer>;
  /** CRLs: PEM / DER contents, or file paths (re-read when they change). */
  crls?: Array<string | Buffer>;
  /** A CRL distribution point (e.g. the MEF's GET /crl) fetched every refreshSeconds (default 60). */
  crl?: { url?: string; refreshSeconds?: number; startupTimeoutSeconds?: number };
}

/**
 * A CoAP listener over DTLS-PSK for AEs (Mca over TS-0008; docs/coap.md): the Kpsa given here (TS-0003
 * 8.2.2.1), each with the AE-IDs its association may act as, are stored with the node's other Kpsa, so the
 * listener also serves every PSK-based SAEF of `security` (MAF-based, DerivedKey, RSPF, GBA).
 */
export interface CoapListenerOptions {
  host?: string;
  port: number;
  /** 'coap-only' leaves the (critical) TS-0008 options out of responses, for plain CoAP clients. */
  responseOptions?: 'oneM2M' | 'coap-only';
  psk: Array<{ identity: string; key: Uint8Array; boundIds?: string[] }>;
}

export interface MnCseOptions {
  /** SP-relative CSE-ID, e.g. '/id-mn'. */
  cseId: string;
  cseBaseName: string;
  /** M2M-SP-ID without '//'. */
  spId: string;
  adminOriginators?: string[];
  /**
   * Whether a request has the system's fixed privileges (TS-0001 10.2.3): wire
   * @m2msec/administration's Administrators (a principal whose credential the association proved,
   * TS-0003 6.2.3). Default: From is one of adminOriginators outside any association — for an
   * embedder whose plain router only it can reach (docs/administration.md).
   */
  isAdministrator?: (originator: string, transport: import('@m2msec/protocol').TransportContext) => boolean;
  /** Notification target policy (docs/hardening.md): exceptions to the refused ranges, per-target bounds. */
  notifications?: { allowTargets?: string[]; maxConcurrentPerTarget?: number; maxQueuedPerTarget?: number };
  /**
   * An open store, a store configuration, or nothing: the in-memory store ({ kind: 'memory' }), for a
   * gateway without a disk; not durable, everything is lost at stop() (docs/storage.md).
   */
  store?: Store | StoreConfig;
  /**
   * Where the node keeps its SE keystore (Kpsa, Km, ESCertKE keys) and DerivedKey journal; its KEK as the
   * IN-CSE's (security.keyFile or M2MSEC_KEK, docs/hardening.md). Absent: an ephemeral keystore under a
   * private temporary directory with a random in-memory KEK, removed at stop() (keys are lost at exit).
   */
  dataDir?: string;
  /**
   * The SAEFs offered to AEs, configured as the IN-CSE's `security` key (docs/in-cse.md): `psk` opens the
   * TLS-PSK listener (provisioned Kpsa in the node's credential store, DerivedKey), `maf` makes this CSE
   * Entity B of the MAF-based SAEF (its Km in the credential store; notificationUrl required: mount
   * `extras`), `mef` / `gba` make it an Enrolment Target of RSPF / GBA, `bindings` pre-binds Credential-IDs,
   * `administrators` are principals bound to credentials. The certificate listener is `mcc`.
   */
  security?: Partial<
    Pick<
      InCseConfig['security'],
      'psk' | 'maf' | 'mef' | 'gba' | 'derivedKey' | 'bindings' | 'administrators' | 'keyFile' | 'kekInDataDir'
    >
  >;
  /** Points of access of this MN-CSE advertised to the registrar (where it forwards requests down). */
  poa: string[];
  registrar: RegistrarOptions;
  /** Optional MQTT binding for AEs (TS-0010). */
  mqtt?: MqttOptions;
  /** Optional CoAP/DTLS-PSK listener for AEs (TS-0008). */
  coap?: CoapListenerOptions;
  /** Optional HTTPS listener with mutual TLS for requests the registrar forwards down. */
  mcc?: MccListenerOptions;
  /** AE registration rules (TS-0001 9.6.29); default: none (every AE registration 4126). */
  appRules?: ServiceSubscribedAppRule[];
  /** Mca policy: 'required' refuses AEs outside a security association (4107). Default 'optional'. */
  mca?: 'optional' | 'required';
  /** Timeout of requests sent to the registrar and to notification targets (ms); default 5000. */
  requestTimeoutMs?: number;
  /** Largest accepted HTTP body (bytes); default 1 MiB. */
  maxBodyBytes?: number;
  log?: Logger;
  /**
   * Test hook (never in production): requests of these originators are retargeted with one character of
   * their Content altered, as a compromised relay would (packages/cse relay-test-hook.ts).
   */
  relayTestHook?: RelayTamperOptions;
  /**
   * This CSE as end-to-end security end point (docs/end-to-end-security.md), as the IN-CSE's `endToEnd`:
   * an ESPrim Target (TS-0003 8.4, 7.2.2) with pre-provisioned pairwiseESPrimKeys given in memory (`keys`),
   * MEF-provisioned keys (`mefProvisioned`, SUID 23, from `security.mef`), MAF-distributed keys
   * (`mafDistributed`, SUID 33, from `security.maf`), and an ESCertKE Terminating End-Point (`escertke`,
   * TS-0003 8.7; PEM files, key 0600) whose keys serve ESPrim and persist in the node's keystore.
   */
  endToEnd?: {
    esprim: Pick<CseESPrimTargetOptions, 'keys' | 'randLifetimeMs'> &
      Pick<NonNullable<InCseConfig['endToEnd']>['esprim'], 'mefProvisioned' | 'mafDistributed'>;
    escertke?: NonNullable<InCseConfig['endToEnd']>['escertke'];
  };
}
