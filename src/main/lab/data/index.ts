// Public surface of the data module: what the runner, service and CLI import.
export { batchCount, batchOrder, batches, gatherImages, gatherLabels, type Batch, type BatchOptions, type BatchSource } from './batches';
export { listDatasets, loadDataset, type CatalogOptions, type DatasetListing, type LoadOptions } from './catalog';
export { FASHION_MNIST_CLASS_NAMES, IMAGE_HEIGHT, IMAGE_WIDTH, MNIST_CLASS_NAMES, type DatasetKind, type DatasetManifest, type DatasetSpec, type ImageDataset } from './dataset';
export { decodeIdx, encodeIdx, readIdxFile, writeIdxFile, type IdxArray, type WriteIdxOptions } from './idx';
export { readIdxPair, type IdxPairOptions, type ImageLabelPair } from './idx-pair';
export { importIdx, type IdxFilePair, type ImportIdxRequest } from './import-idx';
export { importPngFolder, type ImportPngRequest } from './import-png';
export { type ImportOptions } from './import-common';
export { ensureMnistSample, MNIST_SAMPLE_ID } from './mnist-sample';
export { dataCacheDir, labHome } from './paths';
export { checkSeed, deriveSeed, mulberry32, seededPermutation, shuffleInPlace, type Rng } from './random';
export { DATASET_FILES, downloadDataset, isDownloaded, type DownloadOptions, type DownloadProgress, type RemoteDatasetId, type RemoteFile } from './remote-datasets';
export { DEFAULT_TEST_SIZE, DEFAULT_TRAIN_SIZE, splitDataset, type DatasetSplit, type SplitOptions } from './split';
export { removeDataset } from './store';
