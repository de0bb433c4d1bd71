import type { TlsContext } from '@m2msec/protocol';
import type { CertificateAuthority } from '../certificate/certificate-authority.js';
import type { GeneralName } from '../lib/general-names.js';
import type { EstClientIdentity } from '../tls/client-identity.js';

export type EstEnrolmentOperation = 'simpleenroll' | 'simplereenroll' | 'serverkeygen';
export type EstOperation = 'cacerts' | 'csrattrs' | EstEnrolmentOperation;

/** An issued certificate as recordIssued sees it. */
export interface IssuedCertificate {
  readonly operation: EstEnrolmentOperation;
  readonly holder?: string;
  /** Canonical serial hex (upper case, no leading zeros). */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly certificate: Uint8Array;
}

/** What the MEF's policy hook sees about one enrolment request. */
export interface EnrolmentRequest {
  readonly operation: EstEnrolmentOperation;
  /** The optional label path segment (RFC 7030 3.2.2). */
  readonly label?: string;
  readonly clientIdentity: EstClientIdentity;
  /** The SAN the CSR asks for (already checked against the profile and the CA's name constraints). */
  readonly requestedSan: readonly GeneralName[];
  /** Subject Name DER of the CSR. */
  readonly subjectDer: Uint8Array;
  /** RFC 4514 rendering of the subject (computed on access). */
  readonly subject: string;
}

/**
 * The policy hook's answer. 'pending' answers 202 with Retry-After (RFC 7030 4.2.3): the client
 * sends the same request again later and the hook is asked again.
 */
export type EnrolmentDecision =
  | 'allow'
  | 'deny'
  | 'pending'
  | {
      readonly outcome: 'allow';
      readonly validitySeconds?: number;
      /** Latest notAfter (the enrolee's Enrolment Expiry, TS-0003 10.7); validity is cut to it. */
      readonly notAfter?: Date;
      /** Who will hold the certificate, passed to recordIssued (e.g. the enrolee record's key). */
      readonly holder?: string;
      /** Subject the certificate gets instead of the CSR's (RFC 4514 string, e.g. `CN=<username>`). */
      readonly subject?: string;
    }
  | { readonly outcome: 'pending'; readonly retryAfterSeconds?: number }
  | { readonly outcome: 'deny'; readonly reason?: string };

export type EnrolmentPolicy = (request: EnrolmentRequest) => EnrolmentDecision | Promise<EnrolmentDecision>;

/**
 * - 'require': the CSR's challengePassword must carry the channel binding (default, fail closed);
 * - 'if-present': checked when a challengePassword is present (clients that cannot read the
 *   TLS session, such as `openssl req` + curl, can still enrol);
 * - 'off': challengePassword is ignored.
 */
export type ChannelBindingMode = 'require' | 'if-present' | 'off';

export interface EstLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface EstServerOptions {
  ca: CertificateAuthority;
  /** Decides which identities an enrolee may get. */
  authorize: EnrolmentPolicy;
  channelBinding?: ChannelBindingMode;
  /** Further certificates for /cacerts (intermediates, other trust anchors). */
  additionalCaCertificates?: readonly Uint8Array[];
  /** Default validity of issued certificates; default 365 days. */
  validitySeconds?: number;
  /** cRLDistributionPoints URIs written into issued certificates (RFC 5280 4.2.1.13). */
  crlDistributionPoints?: readonly string[];
  /**
   * Called with every issued certificate before it is answered (a failure answers 500 and the
   * certificate is never delivered): the MEF records serial -> holder for revocation and for
   * binding re-enrolment to the holder.
   */
  recordIssued?: (issued: IssuedCertificate) => Promise<void>;
  /** extendedKeyUsage of issued certificates; default clientAuth + serverAuth. */
  extendedKeyUsage?: readonly string[];
  /** Names announced in /csrattrs for an identified client (TS-0003 8.3.6.2.2 step 2). */
  expectedSan?: (
    identity: EstClientIdentity,
    label: string | undefined,
  ) => readonly GeneralName[] | undefined | Promise<readonly GeneralName[] | undefined>;
  /**
   * RFC 7030 4.4.1.1: the pre-shared key-encryption key (32 bytes, AES-256 key wrap) a CSR's
   * DecryptKeyIdentifier names for this client, or undefined (refused). Without the hook only
   * asymmetric encryption (4.4.1.2) or TLS-only protection is offered.
   */
  serverKeygenSharedKey?: (
    keyIdentifier: Uint8Array,
    identity: EstClientIdentity,
  ) => Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /**
   * fullcmc revocation requests (RFC 5272 6.11): revoke the certificate with this canonical serial for
   * this requester (the TLS client, who signed the request under `signer`). `true` when revoked, else
   * the reason for the refusal (answered as CMC failed / badCertId). Without it revocation is noSupport.
   */
  revokeCertificate?: (r: {
    serialNumber: string;
    reason?: import('../certificate/issue-crl.js').CrlReason;
    requester: EstClientIdentity;
    signer: Uint8Array;
  }) => Promise<true | string>;
  /** Accepted label segments; requests under any other label are 404. Default: none. */
  labels?: readonly string[];
  /** Retry-After for a bare 'pending' decision; default 60 s. */
  defaultRetryAfterSeconds?: number;
  /**
   * RFC 7030 3.2.3 HTTP-based client authentication: the server accepts requests whose `httpUser` an
   * authentication edge in front of it proved. Off by default (TS-0003 8.3.6.2.1 forbids it in the EST
   * profile); only the MEF's username / password listener turns it on.
   */
  httpAuthentication?: boolean;
  /** Largest accepted request body; default 16 KiB. */
  maxBodyBytes?: number;
  logger?: EstLogger;
  now?: () => Date;
  /**
   * Worker threads that check CSR signatures (key import + ECDSA verify) off the event loop.
   * Default: 1 when the machine has more than one core, else 0 (checked in the event loop).
   */
  verifyThreads?: number;
}

export interface EstHttpRequest {
  readonly method: string;
  readonly label?: string;
  readonly contentType?: string;
  /** True when an Authorization header was sent (refused: TS-0003 8.3.6.2.1). */
  readonly hasAuthorizationHeader: boolean;
  /** The username an HTTP authentication edge verified (honoured with `httpAuthentication` only). */
  readonly httpUser?: string;
  readonly body: Uint8Array;
  /** What the TLS session proved (from the HTTP edge); absent for a request over plain HTTP (refused). */
  readonly tls?: TlsContext;
}

export interface EstHttpResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
}
