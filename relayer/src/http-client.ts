/**
 * @module http-client
 * Moved to @sothebais/common/http-client (the operator's sign-in limits use it too). This re-export
 * stays only for config.ts, which another change owns; import from common in new code.
 */
export { parseTrustedProxies, type TrustedProxies } from "@sothebais/common/http-client";
