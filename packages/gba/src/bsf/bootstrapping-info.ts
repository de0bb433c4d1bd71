// The 200 OK body of a successful Ub run (TS 24.109 5.3.2 and Annex C, MIME type application/vnd.3gpp.bsf+xml).

export const BSF_XML_MEDIA_TYPE = 'application/vnd.3gpp.bsf+xml';

export function formatBootstrappingInfo(btid: string, lifetime: Date): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<BootstrappingInfo xmlns="uri:3gpp-gba"><btid>${btid}</btid><lifetime>${xsdDateTime(lifetime)}</lifetime></BootstrappingInfo>\n`
  );
}

/** xsd:dateTime in UTC without fractional seconds. */
export function xsdDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
