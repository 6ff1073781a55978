/** The package entry (package.json "exports"): oclif's runner, for embedding hacheck's CLI. */
export {run} from '@oclif/core'
