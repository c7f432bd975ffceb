// What a queue job carries between the lab host and a remote worker. Host paths never leave the host: a job names its
// run folder "@run", the worker's dataset cache "@data" and each input folder "@in/N", and every file it needs travels
// with it as a list of content-addressed blobs (blobs.ts). The worker maps the names onto folders of its own.
import path from 'node:path';
import packageJson from '../../../../package.json';
import { type EngineRecord } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { type WorkerJob, type WorkerToHost } from '../worker/protocol';
import { type BlobFile } from './blobs';

/** Raised when a queue job's or message's shape changes; host and worker must agree on it. */
export const REMOTE_PROTOCOL_VERSION = 1;
export const LAB_VERSION: string = packageJson.version;
/** The BullMQ queue of a lab's engine jobs. */
export const QUEUE_NAME = 'rlab-jobs';
/** Key prefix of everything the lab keeps in Redis (BullMQ's keys, blobs, cancel flags, the host record). */
export const KEY_PREFIX = 'rlab';

export const RUN_DIR = '@run';
export const DATA_DIR = '@data';
const IN_DIR = '@in';

export interface RemoteJobData {
  protocol: number;
  labVersion: string;
  /** The BullMQ job id (the stored job's id and a suffix of this send). */
  queueJobId: string;
  job: WorkerJob;
  /** Every input folder the job names ("@in/N" and, for a resumed run, its checkpoint), with its files. */
  folders: Record<string, BlobFile[]>;
}

/** What a host publishes in Redis about itself, so a worker of another version can refuse to start. */
export interface HostRecord {
  protocol: number;
  labVersion: string;
  startedAt: string;
}

export const hostRecordKey = `${KEY_PREFIX}:host`;
export const cancelKey = (queueJobId: string): string => `${KEY_PREFIX}:cancel:${queueJobId}`;

/** Refuses work between a host and a worker of different queue protocols, naming both sides' versions. */
export function checkCompatible(host: { protocol: number; labVersion: string }, where: string): void {
  if (host.protocol === REMOTE_PROTOCOL_VERSION) return;
  throw new LabError('failed_precondition', `this worker runs Robustness Lab ${LAB_VERSION} (queue protocol ${REMOTE_PROTOCOL_VERSION}); ${where} runs Robustness Lab ${host.labVersion} (queue protocol ${host.protocol}); install the same version on both`, 'version');
}

/** A message from a worker attempt to the host, in job order (`seq`), or a reference to one kept as a blob (large ones). */
export interface RemoteEnvelope {
  attempt: string;
  seq: number;
  message?: RemoteMessage;
  blob?: BlobFile;
}

/** The worker's first message of each attempt: who took the job, with which engine, from which epoch. */
export interface AttemptMessage {
  type: 'attempt';
  jobId: string;
  runId: string;
  attempt: string;
  worker: string;
  engine: EngineRecord;
  startEpoch: number;
}

/** A folder the worker wrote inside the run ("model", "checkpoints/epoch-0003") and its files. */
export interface FolderUpload {
  dir: string;
  files: BlobFile[];
}

export type RemoteMessage = AttemptMessage | (WorkerToHost & { upload?: FolderUpload });

const RUN_FOLDERS = /^(model|checkpoints\/epoch-\d{4,})$/;

/** The host folder a worker's upload goes to: only the run's own model folder or one of its checkpoints. */
export function uploadTarget(hostRunDir: string, dir: string): string {
  if (!RUN_FOLDERS.test(dir)) throw new LabError('permission_denied', `a worker may write only its run's model/ and checkpoints/epoch-N/ folders, not "${dir.slice(0, 80)}"`, 'files');
  return path.join(hostRunDir, ...dir.split('/'));
}

/** A path of the worker's job mapped back: "@run/x" becomes the folder relative to the run ("x"). */
export function runRelative(p: string): string {
  if (p !== RUN_DIR && !p.startsWith(`${RUN_DIR}/`)) throw new LabError('permission_denied', `a worker's path must lie in its run folder, not "${p.slice(0, 80)}"`, 'files');
  return p.slice(RUN_DIR.length + 1);
}

/**
 * The host job with its paths replaced by names, and the input folders it reads (by name → host folder). `known`
 * (an earlier call's inputs) keeps the names a folder already has.
 */
export function portableJob(job: WorkerJob, known: Readonly<Record<string, string>> = {}): { job: WorkerJob; inputs: Record<string, string> } {
  const inputs: Record<string, string> = { ...known };
  const names = new Map<string, string>(Object.entries(known).map(([name, dir]) => [dir, name]));
  const folderOf = (hostPath: string, file: boolean): string => {
    const dir = file ? path.dirname(hostPath) : hostPath;
    let name = names.get(dir);
    if (name === undefined) {
      name = `${IN_DIR}/${names.size}`;
      names.set(dir, name);
      inputs[name] = dir;
    }
    return file ? `${name}/${path.basename(hostPath)}` : name;
  };
  const evaluations = job.evaluations.map((t) => (t.sourceModelPath === null ? t : { ...t, sourceModelPath: folderOf(t.sourceModelPath, true) }));
  const galleryPeer = job.galleryPeer === null ? null : { ...job.galleryPeer, modelPath: folderOf(job.galleryPeer.modelPath, true) };
  const base = { ...job, runDir: RUN_DIR, cacheDir: DATA_DIR, evaluations, galleryPeer };
  if (base.kind === 'train') {
    const out: WorkerJob = base.resume ? { ...base, resume: { ...base.resume, checkpointDir: folderOf(base.resume.checkpointDir, false) } } : base;
    return { job: out, inputs };
  }
  if (base.checkpoint) return { job: { ...base, checkpoint: { ...base.checkpoint, checkpointDir: folderOf(base.checkpoint.checkpointDir, false) } }, inputs };
  return { job: { ...base, modelPath: folderOf(base.modelPath!, true) }, inputs };
}

/** The worker's job with the names mapped onto its folders: the run's scratch folder, its dataset cache, its inputs. */
export function localJob(job: WorkerJob, dirs: { run: string; data: string; inputs: string }): WorkerJob {
  const local = (p: string): string => {
    if (p === RUN_DIR || p.startsWith(`${RUN_DIR}/`)) return path.join(dirs.run, p.slice(RUN_DIR.length));
    if (p.startsWith(`${IN_DIR}/`)) {
      const rest = p.slice(IN_DIR.length + 1).split('/');
      if (rest.length < 1 || rest.length > 2 || !/^(\d+|resume)$/.test(rest[0]!) || (rest[1] !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(rest[1]))) throw new LabError('permission_denied', `the job names an input "${p.slice(0, 80)}" that is not one of its folders`, 'job');
      return path.join(dirs.inputs, ...rest);
    }
    throw new LabError('permission_denied', `the job names a path "${p.slice(0, 80)}" outside its own folders`, 'job');
  };
  const evaluations = job.evaluations.map((t) => (t.sourceModelPath === null ? t : { ...t, sourceModelPath: local(t.sourceModelPath) }));
  const galleryPeer = job.galleryPeer === null ? null : { ...job.galleryPeer, modelPath: local(job.galleryPeer.modelPath) };
  if (job.cacheDir !== DATA_DIR) throw new LabError('permission_denied', 'the job names a dataset folder of its own', 'job');
  const base = { ...job, runDir: dirs.run, cacheDir: dirs.data, evaluations, galleryPeer };
  if (base.kind === 'train') return base.resume ? { ...base, resume: { ...base.resume, checkpointDir: local(base.resume.checkpointDir) } } : base;
  if (base.checkpoint) return { ...base, checkpoint: { ...base.checkpoint, checkpointDir: local(base.checkpoint.checkpointDir) } };
  return { ...base, modelPath: local(base.modelPath!) };
}

/** The input folder name "@in/N" to the worker's folder for it. */
export function localInput(name: string, inputsDir: string): string {
  const n = /^@in\/(\d+|resume)$/.exec(name)?.[1];
  if (n === undefined) throw new LabError('permission_denied', `"${name.slice(0, 80)}" is not an input folder of the job`, 'job');
  return path.join(inputsDir, n);
}
