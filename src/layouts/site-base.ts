/**
 * The path the site is served under (`--base`), always ending in "/": Astro gives BASE_URL as
 * configured, with or without the slash, and every link is written as `${siteBase}path/`.
 */
export function siteBase(): string {
  const base = import.meta.env.BASE_URL;
  return base.endsWith("/") ? base : `${base}/`;
}
