// What a session that has no snapshot to show tells the user: one headline and
// its reason, composed here only, for the trees, the Engines view, the
// diagram, the compose hovers and the log alike.

import type { SessionState } from '../core/session/engine-session';

export interface SessionProblem {
  kind: 'unreachable' | 'failed' | 'misconfigured';
  headline: string;
  reason: string;
}

export function sessionProblem(state: SessionState): SessionProblem | null {
  switch (state.kind) {
    case 'unreachable':
      return { kind: state.kind, headline: `Cannot reach Docker at ${state.endpoint}`, reason: state.reason };
    case 'failed':
      return { kind: state.kind, headline: `Reading Docker at ${state.endpoint} failed`, reason: state.reason };
    case 'misconfigured':
      return { kind: state.kind, headline: 'The Docker host setting is not usable', reason: state.reason };
    default:
      return null;
  }
}

/** The problem as one line, or null when there is none. */
export function sessionProblemLine(state: SessionState): string | null {
  const problem = sessionProblem(state);
  return problem ? `${problem.headline}: ${problem.reason}` : null;
}
