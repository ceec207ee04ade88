'use strict';
// The hub host names the server assigns are not in this machine's DNS: resolve names under `resolve.domain` to
// `resolve.address`, the server under test, the way a deployment's DNS would. The SDKs themselves are unchanged and
// still dial, name and verify the host name.
const dns = require('dns');

module.exports = function resolveTo(resolve) {
  if (!resolve) return;
  const lookup = dns.lookup;
  dns.lookup = (host, options, callback) => {
    if (typeof options === 'function') { callback = options; options = {}; }
    if (host.endsWith(resolve.domain)) {
      return options && options.all ? callback(null, [{ address: resolve.address, family: 4 }]) : callback(null, resolve.address, 4);
    }
    return lookup(host, options, callback);
  };
};
