/**
 * schemas/gameday.schema.json, built from the declarations: the fixed parts of a
 * game day (name, inventory, workload, steadyState, rollbacks, a step's common
 * keys) and, per fault, the schema of its step's `with:` from its options (an
 * experiment step's `with:` from the data experiments' one declaration). The
 * file is written by `npm run chaos:gen` for editors and docs; the loader
 * (gameday/file.ts) validates against this very object. Pure.
 */
import {FAULTS} from '../faults/index.js'
import type {AnyFault} from '../faults/parts/define.js'
import {DATA_EXPERIMENTS, DATA_OPTIONS} from '../run/data-plan.js'
import {DURATION_PATTERN, NODE_PATTERN, optionSchema, type Options} from '../plan/options.js'
import {ABORT_EXAMPLES} from '../safety/abort.js'
import {WORKLOADS} from '../workloads/index.js'

type Json = Record<string, unknown>

const duration = (expected = 'a duration such as 30s, 500ms, 2m or 1h30m'): Json => ({
  type: ['string', 'number'],
  pattern: DURATION_PATTERN,
  minimum: 0,
  'x-expected': expected,
})

function workloadSchema(): Json {
  const keys = WORKLOADS.map((w) => w.gameDay.key)
  return {
    type: 'object',
    description: `The load running during every step (default: the inventory's service url), one of: ${WORKLOADS.map((w) => `${w.gameDay.key} (${w.summary.replace(/\.$/, '')})`).join('; ')}. pg-write: true (the inventory's cluster.database, else the VIP on 5432) or a postgres://USER@HOST:PORT/DB URL without password.`,
    'x-expected': `a mapping with one of ${keys.join(', ')}`,
    additionalProperties: false,
    properties: {
      ...Object.fromEntries(WORKLOADS.map((w) => [w.gameDay.key, w.gameDay.schema])),
      rate: {type: 'integer', minimum: 1, maximum: 1000, 'x-expected': 'probes per second, 1 to 1000'},
      timeout: duration(),
      insecure: {type: 'boolean'},
      writeTimeout: duration('a duration such as 2s (a write workload: per-write timeout)'),
    },
  }
}

function probeSchema(): Json {
  return {
    type: 'object',
    'x-expected': 'a probe: one of http, tcp, command, cluster',
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 2,
    properties: {
      // The same checks as the probe workloads of the same name, sent once.
      ...Object.fromEntries(WORKLOADS.filter((w) => !w.writes).map((w) => [w.gameDay.key, w.gameDay.schema])),
      cluster: {type: 'string', enum: ['healthy']},
      expectStatus: {type: 'integer', minimum: 100, maximum: 599, 'x-expected': 'an HTTP status such as 200'},
    },
    oneOf: [{required: ['http']}, {required: ['tcp']}, {required: ['command']}, {required: ['cluster']}],
  }
}

function withSchema(id: string, options: Options, expected = "a mapping of the fault's options"): Json {
  const required = Object.entries(options)
    .filter(([, s]) => s.required)
    .map(([k]) => k)
  return {
    type: 'object',
    description: `${id} options.`,
    additionalProperties: false,
    properties: Object.fromEntries(Object.entries(options).map(([k, s]) => [k, optionSchema(s)])),
    'x-expected': expected,
    ...(required.length ? {required} : {}),
  }
}

/** Keys of a fault step that an experiment step does not take (file.ts says so at their place). */
export const FAULT_ONLY_STEP_KEYS = ['target', 'expect', 'allowQuorumLoss', 'abortWhen'] as const

function stepSchema(faults: readonly AnyFault[]): Json {
  return {
    type: 'object',
    'x-expected': 'a step: a mapping with name and fault (and target), or name and experiment',
    // fault or experiment (exactly one): checked by gameday/file.ts, in words, at the step.
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: {
        type: 'string',
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$',
        'x-expected': "a step name of letters, digits, '.', '-' and '_' (used with --only)",
      },
      description: {type: 'string'},
      fault: {type: 'string', enum: faults.map((f) => f.id)},
      experiment: {
        type: 'string',
        enum: [...DATA_EXPERIMENTS],
        description:
          'A data-tier experiment (hacheck chaos data) instead of a fault: its options in with:, its hold in duration.',
      },
      target: {
        type: 'string',
        pattern: NODE_PATTERN,
        'x-expected': 'a node name from the inventory, or @service, @dc, @replica',
      },
      with: {type: 'object'},
      duration: duration(),
      baseline: duration(),
      settle: duration(),
      expect: {
        type: 'array',
        items: {type: 'string', minLength: 1, 'x-expected': 'an expectation such as "rto <= 30s"'},
        'x-expected': 'a list of expectations',
      },
      allowQuorumLoss: {type: 'boolean'},
      abortWhen: {
        type: 'array',
        description:
          'The steady state guarded while the fault is in place: when one condition breaks, hacheck reverts at once and the step is aborted (safety/abort.ts).',
        items: {
          type: 'string',
          minLength: 1,
          'x-expected': `an abort condition such as ${ABORT_EXAMPLES.map((e) => JSON.stringify(e)).join(', ')}`,
        },
        'x-expected': 'a list of abort conditions',
      },
    },
    allOf: [
      ...faults.map((f) => ({
        if: {properties: {fault: {const: f.id}}, required: ['fault']},
        then: {properties: {with: {$ref: `#/definitions/with-${f.id}`}}},
      })),
      {
        if: {required: ['experiment']},
        then: {properties: {with: {$ref: '#/definitions/with-experiment'}}},
      },
    ],
  }
}

export function gameDaySchema(faults: readonly AnyFault[] = FAULTS): Json {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'hacheck game day',
    description:
      'A chaos game day: steady-state probes before and after, a workload, ordered fault steps with expectations (or data-tier experiments), and rollbacks. Run with `hacheck chaos run FILE`. Reference: docs/chaos.md. Generated from the fault declarations by `npm run chaos:gen`. x-expected is the plain-words description hacheck uses in its error messages.',
    type: 'object',
    'x-expected': 'a game day (a mapping with name and steps)',
    required: ['name', 'steps'],
    additionalProperties: false,
    patternProperties: {'^x-': {description: 'Free extension keys, ignored (a place for YAML anchors).'}},
    properties: {
      name: {type: 'string', minLength: 1, 'x-expected': 'a name for the game day'},
      description: {type: 'string'},
      inventory: {
        type: 'string',
        minLength: 1,
        description: 'Inventory file, relative to this file (-i overrides).',
        'x-expected': 'a path to an inventory file',
      },
      workload: workloadSchema(),
      steadyState: {
        type: 'array',
        items: {$ref: '#/definitions/probe'},
        description: 'Probes that must all pass before the first step and after the last.',
        'x-expected': 'a list of probes',
      },
      steps: {
        type: 'array',
        minItems: 1,
        items: {$ref: '#/definitions/step'},
        'x-expected': 'a list of steps',
      },
      rollbacks: {
        type: 'array',
        description: "Commands run at the end whatever happened (after every fault's own revert).",
        'x-expected': 'a list of rollbacks',
        items: {
          type: 'object',
          'x-expected': 'a rollback: a mapping with node and run',
          additionalProperties: false,
          required: ['node', 'run'],
          properties: {
            node: {
              type: 'string',
              pattern: '^(all|any|[A-Za-z0-9][A-Za-z0-9._-]{0,62})$',
              'x-expected': 'a node name, any (the first that answers) or all',
            },
            run: {type: 'string', minLength: 1, 'x-expected': 'a command run on the node with bash'},
          },
        },
      },
    },
    definitions: {
      probe: probeSchema(),
      step: stepSchema(faults),
      ...Object.fromEntries(faults.map((f) => [`with-${f.id}`, withSchema(f.id, f.options)])),
      'with-experiment': withSchema('experiment', DATA_OPTIONS, "a mapping of the experiment's options"),
    },
  }
}

/** The schema file's text (what `npm run chaos:gen` writes: JSON as prettier formats it). */
export function gameDaySchemaText(): string {
  return JSON.stringify(gameDaySchema(), null, 2) + '\n'
}
