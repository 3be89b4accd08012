import { basename, extname } from 'node:path';

/** Xcode's `:c99extidentifier`: every character that cannot be in a C identifier becomes `_`. */
export function c99Identifier(value: string): string {
  const body = value.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(body) ? `_${body}` : body;
}

/** Xcode's `:rfc1034identifier`: every character that cannot be in a host name becomes `-`. */
export function rfc1034Identifier(value: string): string {
  return value.replace(/[^A-Za-z0-9.-]/g, '-');
}

/** The `$(NAME:modifier)` modifiers Xcode's templates use. An unknown one leaves the value as it is. */
export function applyModifier(value: string, modifier: string | undefined): string {
  switch (modifier) {
    case 'c99extidentifier':
    case 'identifier':
      return c99Identifier(value);
    case 'rfc1034identifier':
      return rfc1034Identifier(value);
    case 'lower':
      return value.toLowerCase();
    case 'upper':
      return value.toUpperCase();
    default:
      return value;
  }
}

/** PRODUCT_BUNDLE_PACKAGE_TYPE by the bundle's extension, as Xcode's product types set it. */
const PACKAGE_TYPES: Readonly<Record<string, string>> = {
  '.app': 'APPL',
  '.xpc': 'XPC!',
  '.systemextension': 'SYSX',
  '.appex': 'XPC!',
};

const REVERSE_DNS = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+){2,}$/;

/**
 * The build settings Xcode fills in at build time, derived for one bundle
 * (docs/worlds.md, "Build settings"). A bundle's own `buildSettings` in
 * world.plist win over the world's, and both win over these:
 * - PRODUCT_NAME: the bundle's folder name without its extension (Xcode names the product after the target);
 * - EXECUTABLE_NAME: the product name (a bundle's executable has no prefix or suffix);
 * - PRODUCT_MODULE_NAME: `$(PRODUCT_NAME:c99extidentifier)`;
 * - PRODUCT_BUNDLE_IDENTIFIER: the identifier world.plist gives this bundle's path, else the folder
 *   name when it is itself reverse-DNS (`com.acme.vpn.tunnel.systemextension`);
 * - PRODUCT_BUNDLE_PACKAGE_TYPE: APPL, XPC! or SYSX by the bundle's extension;
 * - DEVELOPMENT_LANGUAGE: `en`, the development region of every new Xcode project.
 * CURRENT_PROJECT_VERSION and MARKETING_VERSION are never derived: a version is not guessed.
 */
export function derivedSettings(bundlePath: string, manifestId: string | undefined): Record<string, string> {
  const product = basename(bundlePath, extname(bundlePath));
  const identifier = manifestId ?? (REVERSE_DNS.test(product) ? product : undefined);
  const packageType = PACKAGE_TYPES[extname(bundlePath)];
  return {
    PRODUCT_NAME: product,
    ...(packageType ? { PRODUCT_BUNDLE_PACKAGE_TYPE: packageType } : {}),
    EXECUTABLE_NAME: product,
    PRODUCT_MODULE_NAME: c99Identifier(product),
    DEVELOPMENT_LANGUAGE: 'en',
    ...(identifier ? { PRODUCT_BUNDLE_IDENTIFIER: identifier } : {}),
  };
}
