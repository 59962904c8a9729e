import { Agent, buildConnector } from 'undici';
import ipaddr from 'ipaddr.js';

export class PrivateAddressError extends Error {}

/** Only globally routable unicast addresses count as public; IPv4-mapped IPv6 is judged as IPv4. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/**
 * An HTTP agent that checks the address each socket actually connected to, after DNS, so neither a
 * hostname resolving to an internal address nor DNS rebinding can reach inside the network.
 */
export function deliveryAgent(options: { allowPrivateAddresses: boolean }): Agent {
  const connect = buildConnector({ timeout: 10_000 });
  return new Agent({
    connect(opts, callback) {
      connect(opts, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error('no socket'), null);
        const address = socket.remoteAddress ?? '';
        if (!options.allowPrivateAddresses && !isPublicAddress(address)) {
          socket.destroy();
          return callback(new PrivateAddressError(`refused to deliver to ${opts.hostname}: it resolved to ${address}, a private, loopback or link-local address`), null);
        }
        callback(null, socket);
      });
    },
  });
}
