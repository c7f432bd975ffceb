// Files a run produced (models, checkpoints, exports, reports): the store keeps their paths, the files stay on disk.
import type { ArtifactRecord } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { writeTx, type StoreContext } from './context';
import { makeRunStateReader } from './run-queries';

const KINDS: readonly ArtifactRecord['kind'][] = ['model', 'checkpoint', 'export', 'report'];

export interface ArtifactsRepo {
  addArtifact(runId: string, artifact: { kind: ArtifactRecord['kind']; path: string; createdAt?: string }): ArtifactRecord;
  /** A run's artifacts, oldest first. */
  listArtifacts(runId: string): ArtifactRecord[];
}

export function makeArtifactsRepo(ctx: StoreContext): ArtifactsRepo {
  const readState = makeRunStateReader(ctx);
  const insert = ctx.db.prepare('INSERT INTO artifacts (run_id, kind, path, created_at) VALUES (?, ?, ?, ?)');
  const byRun = ctx.db.prepare<[string], ArtifactRecord>('SELECT kind, path, created_at AS createdAt FROM artifacts WHERE run_id = ? ORDER BY id');

  const addArtifact = writeTx(ctx, (runId: string, a: { kind: ArtifactRecord['kind']; path: string; createdAt?: string }): ArtifactRecord => {
    if (!KINDS.includes(a.kind)) throw new LabError('invalid_argument', `kind must be one of ${KINDS.join(', ')} (got ${JSON.stringify(a.kind)})`, 'kind');
    if (typeof a.path !== 'string' || a.path.trim() === '') throw new LabError('invalid_argument', `path must be a non-empty string (got ${JSON.stringify(a.path)})`, 'path');
    readState(runId);
    const createdAt = a.createdAt ?? ctx.now();
    insert.run(runId, a.kind, a.path, createdAt);
    return { kind: a.kind, path: a.path, createdAt };
  });

  function listArtifacts(runId: string): ArtifactRecord[] {
    readState(runId);
    return byRun.all(runId);
  }

  return { addArtifact, listArtifacts };
}
