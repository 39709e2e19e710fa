// Files dropped on the window, waiting for the Import panel: the window's
// one drop handler (App.svelte) leaves them here and the panel takes them,
// also when it mounts after the drop sent the window Home.

export const dropped: { paths: string[] } = $state({ paths: [] });

/** dropForImport hands paths to the Import panel. */
export function dropForImport(paths: string[]): void {
  dropped.paths = [...paths];
}

/** takeDropped returns the waiting paths and clears them. */
export function takeDropped(): string[] {
  const p = dropped.paths;
  if (p.length > 0) dropped.paths = [];
  return p;
}

/** isPackage says whether a path names a study package. */
export function isPackage(path: string): boolean {
  return path.toLowerCase().endsWith('.concord');
}
