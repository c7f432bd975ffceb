// RLAB_MNIST_MIRROR / RLAB_FASHION_MNIST_MIRROR and RLAB_MIRROR_CHECKSUMS as download options.
import { describe, expect, it } from 'vitest';
import { mirrorFromEnv } from '../../../../../src/main/lab/data/mirror-env';
import { DATASET_FILES } from '../../../../../src/main/lab/data/remote-datasets';

describe('mirrorFromEnv', () => {
  it('asks for nothing without a mirror: the official location and digests', () => {
    expect(mirrorFromEnv('mnist', {})).toEqual({});
    expect(mirrorFromEnv('mnist', { RLAB_FASHION_MNIST_MIRROR: 'http://m/' })).toEqual({});
  });

  it('uses the mirror with the official digests unless RLAB_MIRROR_CHECKSUMS=mirror', () => {
    expect(mirrorFromEnv('fashion-mnist', { RLAB_FASHION_MNIST_MIRROR: ' http://m/f/ ' })).toEqual({ baseUrl: 'http://m/f/' });
    expect(mirrorFromEnv('mnist', { RLAB_MNIST_MIRROR: 'http://m/', RLAB_MIRROR_CHECKSUMS: 'official' })).toEqual({ baseUrl: 'http://m/' });
    const trusted = mirrorFromEnv('mnist', { RLAB_MNIST_MIRROR: 'http://m/', RLAB_MIRROR_CHECKSUMS: 'mirror' });
    expect(trusted.baseUrl).toBe('http://m/');
    expect(Object.values(trusted.files!)).toEqual(Object.values(DATASET_FILES.mnist.files).map((f) => ({ file: f.file, sha256: null })));
  });

  it('refuses an unknown checksum mode, and mirror checksums without a mirror, naming the variable', () => {
    expect(() => mirrorFromEnv('mnist', { RLAB_MNIST_MIRROR: 'http://m/', RLAB_MIRROR_CHECKSUMS: 'none' })).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'RLAB_MIRROR_CHECKSUMS', message: 'RLAB_MIRROR_CHECKSUMS must be official or mirror (got "none")' }));
    expect(() => mirrorFromEnv('mnist', { RLAB_MIRROR_CHECKSUMS: 'mirror' })).toThrow('RLAB_MIRROR_CHECKSUMS=mirror needs RLAB_MNIST_MIRROR');
  });
});
