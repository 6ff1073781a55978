import {BaseSequencer, type TestSpecification} from 'vitest/node'
import {defineConfig} from 'vitest/config'

/**
 * Integration files run one after the other on the one shared lab, in a fixed
 * order: alphabetical, with the lab's own tear-down test (lifecycle) last so it
 * does not make every later file rebuild the lab.
 */
class LabOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const key = (f: TestSpecification): string =>
      (/lifecycle\.test\.ts$/.test(f.moduleId) ? '~' : '') + f.moduleId
    return [...files].sort((a, b) => key(a).localeCompare(key(b)))
  }
}

export default defineConfig({
  test: {
    disableConsoleIntercept: true,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // A root option in vitest 4 (ignored inside a project).
    sequence: {sequencer: LabOrder},
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // A temporary XDG state/config/cache home: never this machine's own hacheck state.
          globalSetup: ['test/support/isolate-env.ts'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One lab is shared by all integration tests: run files one after the other.
          fileParallelism: false,
          globalSetup: ['test/support/isolate-env.ts', 'test/integration/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
})
