import type { Attributes } from '@opentelemetry/api';
import { checkKeys } from '../config/checkKeys.js';
import { ConfigError } from '../errors/ConfigError.js';
import { resolvePolicies } from '../policies/options.js';
import { targetPolicies } from '../policies/registry.js';
import type { TargetPolicies } from '../policies/registry.js';
import * as A from '../telemetry/attributes.js';
import type { ClientOptions } from './clientOptions.js';

const CLIENT_OPTION_KEYS = ['target', 'baseUrl', 'policies', 'fetch'] as const satisfies ReadonlyArray<keyof ClientOptions>;

/**
 * Everything of one client that does not change per call, computed once so
 * that the hot path only reads fields.
 */
export class ClientRuntime {
  readonly target: string;
  readonly base: string | undefined;
  readonly fetchImpl: typeof fetch;
  /** No `fetch` option: requests go through the global fetch (undici), whose tracers listen on diagnostics channels. */
  readonly usesGlobalFetch: boolean;
  readonly state: TargetPolicies;
  readonly staticAttributes: Attributes;
  readonly serverAddress: string | undefined;
  readonly serverPort: number | undefined;
  readonly spanSuffix: string;

  constructor(options: ClientOptions) {
    if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object');
    checkKeys(options, CLIENT_OPTION_KEYS);
    if (typeof options.target !== 'string' || options.target.length === 0 || options.target.length > 256) {
      throw new ConfigError('target', 'must be a non-empty string of at most 256 chars');
    }
    this.target = options.target;
    this.staticAttributes = { [A.ATTR_PEER_SERVICE]: options.target, [A.ATTR_SERVICE_PEER_NAME]: options.target };
    if (options.baseUrl !== undefined) {
      let url: URL;
      try {
        url = new URL(options.baseUrl);
      } catch {
        throw new ConfigError('baseUrl', `not an absolute URL: ${String(options.baseUrl)}`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('baseUrl', 'must be http or https');
      this.base = url.href.replace(/\/+$/, '');
      this.serverAddress = url.hostname;
      this.serverPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      this.staticAttributes[A.ATTR_SERVER_ADDRESS] = this.serverAddress;
      this.staticAttributes[A.ATTR_SERVER_PORT] = this.serverPort;
    }
    if (options.fetch !== undefined && typeof options.fetch !== 'function') throw new ConfigError('fetch', 'must be a function');
    this.fetchImpl = options.fetch ?? fetch;
    this.usesGlobalFetch = options.fetch === undefined;
    this.state = targetPolicies(options.target, resolvePolicies(options.policies));
    this.spanSuffix = ` ${options.target}`;
  }

  resolveUrl(input: string | URL): string {
    if (typeof input !== 'string') return input.href;
    if (this.base !== undefined) {
      if (input.charCodeAt(0) === 47 /* '/' */) return this.base + input;
      if (!input.includes('://')) return new URL(input, `${this.base}/`).href;
    }
    return input;
  }
}
