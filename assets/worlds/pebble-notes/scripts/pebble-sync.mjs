// PebbleSync, the login-item helper of Pebble Notes, written against XPC Lab's
// helper SDK (main/helper/sdk.ts). It checks in the app-group Mach service the
// sandboxed app connects to, answers sync requests, and tells every other
// connected window when the notes change.
const SERVICE = 'group.com.pebble.notes.sync';

export default function pebbleSync(sdk) {
  const notes = new Map([['welcome', 'Welcome to Pebble Notes']]);
  const peers = new Set();
  let revision = 1;

  sdk.listen(SERVICE).onPeer((peer) => {
    peers.add(peer);
    peer.onError(() => peers.delete(peer));
    peer.onMessage(({ body, reply }) => {
      if (body.selector === 'save' && typeof body.id === 'string') {
        notes.set(body.id, String(body.text ?? ''));
        revision++;
        for (const other of peers) if (other !== peer && !other.invalid) other.send({ event: 'notesChanged', revision });
      }
      reply?.({ ok: true, handledBy: 'PebbleSync', revision, count: notes.size });
    });
  });
  sdk.log(`PebbleSync checked in ${SERVICE}`);
}
