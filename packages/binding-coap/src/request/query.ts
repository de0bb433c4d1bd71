// TS-0008 6.2.2.3 carries the request parameters in Uri-Query options with the same fields and forms as
// TS-0009 6.2.2.2 (Table 6.2.2.2-1): one mapping, in @m2msec/protocol, for both bindings.
export { parseQueryString as parseQuery, queryStringFields as queryFields } from '@m2msec/protocol';
