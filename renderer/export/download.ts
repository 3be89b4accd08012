/** Hands a file to the browser's (or Electron's) download, which asks where to save it. */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken its copy once the click has been handled; the URL only has to outlive that.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
