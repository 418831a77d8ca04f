/**
 * `node --import` this URL into a process to have it stop itself when its
 * parent dies (exit-with-parent.ts). A URL, not an import: importing the
 * module would start the watch in the importing process.
 */
export const EXIT_WITH_PARENT_PRELOAD = new URL('./exit-with-parent.ts', import.meta.url).href;
