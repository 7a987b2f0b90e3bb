/**
 * The Functions Framework's ignored routes: unless IGNORED_ROUTES is set, an
 * HTTP function's /favicon.ico and /robots.txt get an empty 404 without
 * running it; an empty IGNORED_ROUTES ignores nothing, another value is an
 * Express mount path (modelled here for literal paths: the path and below).
 */
const DEFAULT_IGNORED = ['/favicon.ico', '/robots.txt']

export function isIgnoredRoute(path: string, setting: string | undefined): boolean {
  const routes = setting === undefined ? DEFAULT_IGNORED : setting.trim() === '' ? [] : [setting.trim()]
  return routes.some((route) => {
    const mount = route.replace(/\/+$/, '')
    return path === mount || path.startsWith(`${mount}/`) || mount === ''
  })
}
