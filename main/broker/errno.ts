/**
 * The error numbers launchd, libxpc and connect(2) report, each named once (XPC-MODEL §3.4): POSIX codes by their
 * POSIX names, launchd's private codes (above ELAST, 106) by launchd's own words for them.
 */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EIO: 5,
  EACCES: 13,
  EEXIST: 17,
  EINVAL: 22,
  EALREADY: 37,
  ENAMETOOLONG: 63,
  malformedBundle: 107,
  domainNotFound: 112,
  serviceNotFound: 113,
  serviceDisabled: 119,
  badOwnership: 122,
  domainTearingDown: 124,
  domainActionUnsupported: 125,
  superseded: 129,
  multipleErrors: 133,
  wrongSession: 134,
  serviceActionUnsupported: 137,
  reservedName: 140,
  reentrancyAvoided: 141,
  lacksEntitlement: 144,
  endpointHidden: 145,
  onDemandOnly: 146,
  notInBundle: 147,
  notInServiceCache: 148,
  systemIntegrityProtection: 150,
  notPlatformBinary: 154,
  quarantined: 155,
  notWhitelisted: 157,
  osVariantRestriction: 158,
  sandboxRestriction: 159,
} as const;

export type Errno = (typeof Errno)[keyof typeof Errno];
