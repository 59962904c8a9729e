/** Text for a LIKE pattern that matches only itself: its wildcards and escapes taken literally. */
export const literalLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
