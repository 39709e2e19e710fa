// Which screen is showing, kept in the URL hash (#/annotate) so a reload of
// the window stays on the same screen.

export const SCREENS = ['home', 'annotate', 'judge', 'report'] as const;
export type Screen = (typeof SCREENS)[number];

/** parseHash maps a location hash to a screen; anything unknown is home. */
export function parseHash(hash: string): Screen {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0].toLowerCase();
  return (SCREENS as readonly string[]).includes(id) ? (id as Screen) : 'home';
}

export const route = $state({ screen: parseHash(typeof location === 'undefined' ? '' : location.hash) });

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    route.screen = parseHash(location.hash);
  });
}

/** href returns the link for a screen. */
export function href(screen: Screen): string {
  return `#/${screen}`;
}
