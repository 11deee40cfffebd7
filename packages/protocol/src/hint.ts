/**
 * How printed hints and error messages name the qsign command line: as it
 * works when typed in a fresh clone (npm puts `qsign` in node_modules/.bin,
 * not on PATH), and just as well where qsign is installed.
 */
export const QSIGN_HINT = 'npx qsign';
