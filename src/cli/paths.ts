/**
 * Where hacheck keeps its own files on the controller, by the XDG base
 * directory rules: state (logs, chaos runs, revert ledgers, its known_hosts)
 * under $XDG_STATE_HOME/hacheck, the config file under $XDG_CONFIG_HOME/hacheck.
 * Tests point XDG_STATE_HOME and XDG_CONFIG_HOME at temporary directories, so a
 * machine with earlier chaos runs or a personal config gives the same results.
 */
import {homedir} from 'node:os'
import {join} from 'node:path'

function xdg(variable: string, fallback: string[]): string {
  const v = process.env[variable]
  // The XDG spec: a relative path is invalid and must be ignored.
  return v && v.startsWith('/') ? v : join(homedir(), ...fallback)
}

export function stateDir(): string {
  return join(xdg('XDG_STATE_HOME', ['.local', 'state']), 'hacheck')
}

export function defaultLogFile(): string {
  return join(stateDir(), 'hacheck.log')
}

export function configDir(): string {
  return join(xdg('XDG_CONFIG_HOME', ['.config']), 'hacheck')
}

/** The config file read when neither --config nor $HACHECK_CONFIG names one (used only if it exists). */
export function defaultConfigFile(): string {
  return join(configDir(), 'config.yaml')
}
