#!/usr/bin/env node
// Wraps an XML plist in a CMS SignedData, the container of an `embedded.provisionprofile`
// (XPC-MODEL §10.7), so worlds and tests can carry a profile XPC Lab reads as AMFI would.
// The result is unsigned (no signer infos): XPC Lab reads the content, it does not verify Apple's signature.
//   node scripts/provisioning-profile.mjs <profile.plist> <embedded.provisionprofile>
import { readFileSync, writeFileSync } from 'node:fs';
import {
  ContentInfo,
  EncapsulatedContent,
  EncapsulatedContentInfo,
  id_data,
  id_signedData,
  SignedData,
} from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';

export function wrapProfile(plistText) {
  const signed = new SignedData({
    version: 1,
    encapContentInfo: new EncapsulatedContentInfo({
      eContentType: id_data,
      eContent: new EncapsulatedContent({ single: new OctetString(Buffer.from(plistText, 'utf8')) }),
    }),
  });
  const info = new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signed) });
  return Buffer.from(AsnConvert.serialize(info));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    process.stderr.write(
      'usage: node scripts/provisioning-profile.mjs <profile.plist> <embedded.provisionprofile>\n',
    );
    process.exit(2);
  }
  writeFileSync(output, wrapProfile(readFileSync(input, 'utf8')));
}
