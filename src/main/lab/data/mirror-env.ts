// Where the host downloads full MNIST / Fashion-MNIST from when the user names a mirror in the environment.
import { LabError } from '../../../shared/errors';
import { DATASET_FILES, type DownloadOptions, type RemoteDatasetId, type RemoteFile, type RemotePart } from './remote-datasets';

/** The variable naming each dataset's mirror folder (a URL the official file names are appended to). */
export const MIRROR_ENV: Readonly<Record<RemoteDatasetId, string>> = { mnist: 'RLAB_MNIST_MIRROR', 'fashion-mnist': 'RLAB_FASHION_MNIST_MIRROR' };

/** 'official' (default): the published sha256 digests; 'mirror': each file's `<file>.sha256` on the mirror (re-packed copies). */
export const MIRROR_CHECKSUMS_ENV = 'RLAB_MIRROR_CHECKSUMS';

/**
 * The download options the environment asks for `id`: nothing when no mirror is named (the official location and
 * digests). Files fetched from a mirror are checked against the official digests unless RLAB_MIRROR_CHECKSUMS=mirror,
 * which only a mirror can ask for: the official locations publish no `.sha256` files.
 */
export function mirrorFromEnv(id: RemoteDatasetId, env: NodeJS.ProcessEnv = process.env): Pick<DownloadOptions, 'baseUrl' | 'files'> {
  const baseUrl = env[MIRROR_ENV[id]]?.trim() || undefined;
  const checksums = env[MIRROR_CHECKSUMS_ENV]?.trim() || 'official';
  if (checksums !== 'official' && checksums !== 'mirror') {
    throw new LabError('invalid_argument', `${MIRROR_CHECKSUMS_ENV} must be official or mirror (got ${JSON.stringify(checksums)})`, MIRROR_CHECKSUMS_ENV);
  }
  if (baseUrl === undefined) {
    if (checksums === 'mirror') throw new LabError('invalid_argument', `${MIRROR_CHECKSUMS_ENV}=mirror needs ${MIRROR_ENV[id]} to name the mirror that serves the .sha256 files`, MIRROR_CHECKSUMS_ENV);
    return {};
  }
  if (checksums === 'official') return { baseUrl };
  const files = Object.fromEntries(Object.entries(DATASET_FILES[id].files).map(([part, f]) => [part, { file: f.file, sha256: null }])) as Record<RemotePart, RemoteFile>;
  return { baseUrl, files };
}
