// The shared HTTP edge: transport-free routes (EdgeRoute, in protocol) served over Node HTTP(S).
export { httpEdge } from './http-edge.js';
export { type EdgeError, edgeErrorResponse, writeEdgeResponse } from './write-answer.js';
