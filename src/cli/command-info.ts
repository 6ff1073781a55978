/**
 * Flag descriptions in the shape the config logic needs, from a command
 * class (its flag definitions) or from oclif's manifest (every command).
 */
import type {Config, Interfaces} from '@oclif/core'

import type {CommandInfo, FlagInfo} from './config.js'

type AnyFlag = Partial<Omit<FlagInfo, 'name'>> & {type?: string; options?: readonly string[]}

function flagInfo(name: string, def: AnyFlag): FlagInfo {
  const f: FlagInfo = {name, type: def.type === 'boolean' ? 'boolean' : 'option'}
  if (def.char) f.char = def.char
  if (def.aliases?.length) f.aliases = def.aliases
  if (def.charAliases?.length) f.charAliases = def.charAliases
  if (def.multiple) f.multiple = true
  if (def.options?.length) f.options = def.options
  if (def.allowNo) f.allowNo = true
  if (def.env) f.env = def.env
  if (def.exclusive?.length) f.exclusive = def.exclusive
  if (def.dependsOn?.length) f.dependsOn = def.dependsOn
  if (def.helpValue) f.helpValue = Array.isArray(def.helpValue) ? def.helpValue.join(' ') : def.helpValue
  return f
}

export function commandInfo(id: string, flags: Interfaces.FlagInput | Record<string, unknown>): CommandInfo {
  const out: Record<string, FlagInfo> = {}
  for (const [name, def] of Object.entries(flags)) out[name] = flagInfo(name, def as AnyFlag)
  return {id, flags: out}
}

/** Every command's flags, from the manifest (no command module is imported). */
export function manifestCommands(config: Config): CommandInfo[] {
  return config.commands.map((c) => commandInfo(c.id, c.flags as Record<string, unknown>))
}
