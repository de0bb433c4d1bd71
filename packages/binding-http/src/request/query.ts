// TS-0009 6.2.2.2 (Table 6.2.2.2-1): the query-string mapping lives in @m2msec/protocol, shared with the
// CoAP binding (TS-0008 carries the same fields in Uri-Query options).
export { parseQueryString as parseQuery, queryStringFields as queryFields } from '@m2msec/protocol';
