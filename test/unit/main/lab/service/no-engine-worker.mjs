// A worker entry whose engine fails to load: it reports why over IPC, then exits, as the real entry does.
process.send({ type: 'error', jobId: null, runId: null, error: { code: 'engine_error', message: 'no TensorFlow backend could be loaded' } }, () => process.exit(1));
