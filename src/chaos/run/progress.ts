/**
 * What a run tells whoever watches it (the live view on stderr, a test): stages
 * as they start and end, and every timeline event as it is recorded. The run
 * only knows this interface; report/live.ts draws it.
 */
import type {TimelineEvent} from '../timeline.js'

export type StageState = 'start' | 'done' | 'failed' | 'skipped'

export type ProgressEvent =
  {type: 'stage'; stage: string; state: StageState; detail?: string} | {type: 'event'; event: TimelineEvent}

export interface RunProgress {
  onProgress(p: ProgressEvent): void
  /** A plain note (preflight, discovery, game-day steps) outside any stage. */
  note(text: string): void
}
