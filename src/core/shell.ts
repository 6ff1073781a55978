/**
 * The one escape function: every remote command is an argv array joined by
 * this, so a value never becomes shell syntax.
 */
export function shellQuote(arg: string): string {
  if (arg === '') return "''"
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ')
}
