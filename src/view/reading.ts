/** A reading that may have failed: an error is "could not tell", never absence. */
export type Reading<T> = {ok: true; value: T} | {ok: false; error: string}
