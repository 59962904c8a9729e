// PostgreSQL SQLSTATEs: 23001 from an `on delete restrict` reference, 23503 from a plain foreign key.
const REFERENCE_BLOCKS = new Set(['23001', '23503']);

/** Whether a delete failed because other rows still refer to the row. */
export const isReferencedElsewhere = (err: unknown) => REFERENCE_BLOCKS.has((err as { code?: string }).code ?? '');
