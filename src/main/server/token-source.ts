// Where `rlab serve` takes its token from: --token (visible in `ps`), --token-file (user-only readable), RLAB_TOKEN, or
// a fresh random one. Messages name the source and never quote what a file holds.
import fs from 'node:fs';
import { LabError } from '../../shared/errors';
import { tokenProblem } from './token';

export const TOKEN_ENV = 'RLAB_TOKEN';
/** A token file is a few dozen bytes; anything much larger is not one, and is not read. */
const MAX_TOKEN_FILE_BYTES = 4096;

export interface TokenInputs {
  /** --token */
  flag?: string;
  /** --token-file */
  file?: string;
  /** process.env */
  env?: NodeJS.ProcessEnv;
}

export type TokenChoice = { token: string; source: '--token' | '--token-file' | typeof TOKEN_ENV } | { token: undefined; source: 'generated' };

/** Reads a token file that only its owner may read; refuses other people's files and group/world-readable ones. */
export function readTokenFile(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'cannot open');
    throw new LabError('invalid_argument', `--token-file ${file}: ${why}`, 'token-file');
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new LabError('invalid_argument', `--token-file ${file} is not a regular file`, 'token-file');
    if (process.platform !== 'win32') {
      const uid = process.getuid?.();
      if (uid !== undefined && st.uid !== uid) throw new LabError('invalid_argument', `--token-file ${file} belongs to another user (uid ${st.uid}); use a file of your own`, 'token-file');
      if ((st.mode & 0o077) !== 0) {
        const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
        throw new LabError('invalid_argument', `--token-file ${file} can be read by other users (mode ${mode}); make it user-only with \`chmod 600 ${file}\``, 'token-file');
      }
    }
    if (st.size > MAX_TOKEN_FILE_BYTES) throw new LabError('invalid_argument', `--token-file ${file} is ${st.size} bytes; a token file holds one token of at most 256 characters`, 'token-file');
    const buf = Buffer.alloc(MAX_TOKEN_FILE_BYTES + 1);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    if (n > MAX_TOKEN_FILE_BYTES) throw new LabError('invalid_argument', `--token-file ${file} is larger than ${MAX_TOKEN_FILE_BYTES} bytes; a token file holds one token`, 'token-file');
    return buf.subarray(0, n).toString('utf8').replace(/[\r\n]+$/, '');
  } finally {
    fs.closeSync(fd);
  }
}

/** The token to serve with, from exactly one place; undefined means "generate one". */
export function chooseToken(inputs: TokenInputs): TokenChoice {
  if (inputs.flag !== undefined && inputs.file !== undefined) {
    throw new LabError('invalid_argument', 'give either --token or --token-file, not both', 'token');
  }
  if (inputs.flag !== undefined) return checked(inputs.flag, '--token');
  if (inputs.file !== undefined) return checked(readTokenFile(inputs.file), '--token-file');
  const env = inputs.env?.[TOKEN_ENV];
  if (env !== undefined && env !== '') return checked(env, TOKEN_ENV);
  return { token: undefined, source: 'generated' };
}

function checked(token: string, source: '--token' | '--token-file' | typeof TOKEN_ENV): TokenChoice {
  const label = source === '--token-file' ? 'the token in --token-file' : source;
  const problem = tokenProblem(token, label);
  if (problem) throw new LabError('invalid_argument', problem, source === TOKEN_ENV ? 'token' : source.slice(2));
  return { token, source };
}
