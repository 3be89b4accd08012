/** XPC-MODEL §6.2: Security framework code-signing OSStatus codes (CSCommon.h). */
export const OSStatus: Record<number, string> = {
  [-67050]: 'errSecCSReqFailed',
  [-67051]: 'errSecCSReqUnsupported',
  [-67052]: 'errSecCSReqInvalid',
  [-67062]: 'errSecCSUnsigned',
  [-67030]: 'errSecCSInfoPlistFailed',
  [-67061]: 'errSecCSSignatureFailed',
  [-67065]: 'errSecCSNoSuchCode',
  [-67063]: 'errSecCSGuestInvalid',
  [-67034]: 'errSecCSStaticCodeChanged',
  [-67054]: 'errSecCSBadResource',
  [-67022]: 'errSecCSUnsignedNestedCode',
};

/** XPC-MODEL §6.2, "Meaning / simulator trigger" column. */
const MEANING: Record<number, string> = {
  0: 'no error',
  [-67050]: 'the code failed the requirement',
  [-67051]: 'the requirement is not supported',
  [-67052]: 'the requirement string has a syntax error',
  [-67062]: 'the code is not signed at all',
  [-67030]: 'the Info.plist is missing or invalid',
  [-67061]: 'the signature is invalid (the binary was modified)',
  [-67065]: 'the process went away (its pid exited or was reused)',
  [-67063]: 'the guest is invalid (the process was killed)',
  [-67034]: 'the code on disk changed under the running process',
  [-67054]: 'a sealed resource was modified',
  [-67022]: 'nested code is unsigned',
};

function statusName(code: number): string {
  if (code === 0) return 'errSecSuccess';
  return OSStatus[code] ?? 'unknown OSStatus';
}

/** For example "-67050 errSecCSReqFailed: the code failed the requirement". */
export function describeStatus(code: number): string {
  const meaning = MEANING[code];
  return meaning ? `${code} ${statusName(code)}: ${meaning}` : `${code} ${statusName(code)}`;
}
