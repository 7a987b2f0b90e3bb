/**
 * citty decides at load whether to colour help text, from NO_COLOR, TERM,
 * TEST and CI only, so piped output (a script, a log file) got ANSI escapes.
 * Imported before citty: without a terminal on stdout, and unless the user
 * forces colour, say NO_COLOR as the convention (no-color.org) does.
 */
if (!process.stdout.isTTY && process.env.FORCE_COLOR === undefined && !process.env.NO_COLOR) process.env.NO_COLOR = '1'
