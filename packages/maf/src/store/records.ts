// What the MAF keeps (collections of @m2msec/store; secrets sealed by the KeyVault). Times are ms since epoch.

/**
 * A credential the MAF Handshake accepts (MAF Client Credential Configuration, 8.8.3.1), each bound to
 * the MAF Client ID it authenticates (an Absolute AE-ID / CSE-ID, Identity Configuration 8.2.2.3).
 */
export interface MafCredentialRecord {
  /** 'km:<KmID, lower case>' or 'cert:<subjectAltName value>'. */
  credentialId: string;
  kind: 'km' | 'certificate';
  /** KmID as configured (10.6: the relative part is case-insensitive). */
  kmId?: string;
  sealedKm?: string;
  /** URI or DNS subjectAltName value the client certificate must carry. */
  certificateSan?: string;
  clientId: string;
  /** 11 pre-provisioned Km, 21 Km from a MEF (RSPF), 41 certificate (TS-0004 m2m:suid). */
  suid: 11 | 21 | 41;
  /** Km from a MEF: the KeID it was fetched for. */
  keId?: string;
  expiresAt?: number;
  /** MAF Client Configuration (8.8.2.4) the administrating stakeholder provided, if any. */
  clientConfiguration?: Record<string, unknown>;
  createdAt: number;
}

/** <mafClientReg> (8.8.2.3): one per MAF client and administrating stakeholder. */
export interface ClientRegistration {
  mafClientRegID: string;
  clientId: string;
  adminFQDN: string;
  et: number;
  lbl?: string[];
  /** Where the MAF announces keys registered for this client (m2msec extension, docs/maf.md). */
  nu?: string;
  /** The credential the registering session used. */
  credentialId: string;
  ct: number;
}

/** <symmKeyReg> (8.8.2.7): a key registered by a Source MAF Client for its targets. */
export interface KeyRegistration {
  relativeKeyID: string;
  sourceClientID: string;
  adminFQDN: string;
  suid: number;
  targetIDs: string[];
  et: number;
  lbl?: string[];
  sealedKey: string;
  /** 'exporter': EXPORTER-oneM2M-Connection of the registering session (10.3.1); 'client': keyValue. */
  origin: 'exporter' | 'client';
  ct: number;
}

/** A DerivedKey trust anchor hosted by the MAF (K_RS-TA lives in the SE as maf/dk-ta/<taId>). */
export interface TrustAnchorRecord {
  taId: string;
  /** MAF Client ID -> C_id the TA issues identities under. */
  clients: Record<string, string>;
  /** MAF Client IDs that may revoke any sequence number of this TA. */
  administrators: string[];
  /** Resource servers' revocation endpoints (POST DerivedKeyRevocation JSON). */
  resourceServers: string[];
  createdAt: number;
}

/** Which MAF client received which DerivedKey sequence number (self-revocation). */
export interface TrustAnchorGrant {
  taId: string;
  sequenceNumber: string;
  clientId: string;
  issuedAt: number;
}
