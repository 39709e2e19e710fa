// Which screen is showing, and what it shows, kept in the URL hash
// (#/annotate/<study id>) so a reload of the window stays on the same screen.

export const SCREENS = ['home', 'annotate', 'judge', 'report'] as const;
export type Screen = (typeof SCREENS)[number];

/** Route is a parsed hash: the screen, and the study Annotate is voting in (null: its list). */
export interface Route {
  screen: Screen;
  study: number | null;
}

/** parseRoute maps a location hash to a route; anything unknown is home. */
export function parseRoute(hash: string): Route {
  const [first = '', second = ''] = hash.replace(/^#\/?/, '').split('?')[0].split('/');
  const id = first.toLowerCase();
  const screen = (SCREENS as readonly string[]).includes(id) ? (id as Screen) : 'home';
  const study = screen === 'annotate' && /^[1-9]\d{0,15}$/.test(second) ? Number(second) : null;
  return { screen, study };
}

/** parseHash maps a location hash to a screen; anything unknown is home. */
export function parseHash(hash: string): Screen {
  return parseRoute(hash).screen;
}

export const route: Route = $state(parseRoute(typeof location === 'undefined' ? '' : location.hash));

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => Object.assign(route, parseRoute(location.hash)));
}

/** href returns the link for a screen. */
export function href(screen: Screen): string {
  return `#/${screen}`;
}

/** studyHref returns the link that votes in a study. */
export function studyHref(id: number): string {
  return `${href('annotate')}/${id}`;
}
