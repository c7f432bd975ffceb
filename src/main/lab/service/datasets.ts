// Dataset methods: list what the lab has, download full MNIST / Fashion-MNIST (with progress events), import user files.
import { type DatasetInfo, type LabParsedRequest as Req } from '../../../shared/contract';
import { listDatasets as listCatalog, type DatasetListing } from '../data/catalog';
import { type DatasetManifest } from '../data/dataset';
import { importIdx } from '../data/import-idx';
import { importPngFolder } from '../data/import-png';
import { mirrorFromEnv } from '../data/mirror-env';
import { downloadDataset as download } from '../data/remote-datasets';
import { type ServiceContext } from './service';

function fromListing(d: DatasetListing): DatasetInfo {
  return { id: d.id, kind: d.kind, name: d.name, classNames: d.classNames, count: d.counts?.total ?? 0, available: d.ready, source: d.source };
}

function fromManifest(m: DatasetManifest): DatasetInfo {
  return { id: m.id, kind: m.kind, name: m.name, classNames: m.classNames, count: m.counts.total, available: true, source: m.source };
}

export function datasetMethods(ctx: ServiceContext, mirrors: Partial<Record<'mnist' | 'fashion-mnist', string>> = {}) {
  const { cacheDir, bus } = ctx;

  async function listDatasets(): Promise<DatasetInfo[]> {
    return (await listCatalog({ cacheDir })).map(fromListing);
  }

  async function downloadDataset({ kind }: Req<'downloadDataset'>): Promise<DatasetInfo> {
    const baseUrl = mirrors[kind];
    // a mirror given by the caller wins; else RLAB_MNIST_MIRROR & co. in the host's environment
    const source = baseUrl === undefined ? mirrorFromEnv(kind) : { baseUrl };
    try {
      const manifest = await download(kind, {
        cacheDir,
        ...source,
        onProgress: (p) => bus.emit('dataset-progress', { kind, receivedBytes: p.received, totalBytes: p.total ?? null, done: false }),
      });
      bus.emit('dataset-progress', { kind, receivedBytes: 0, totalBytes: null, done: true });
      return fromManifest(manifest);
    } catch (err) {
      bus.emit('dataset-progress', { kind, receivedBytes: 0, totalBytes: null, done: true, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  async function importDataset({ name, source }: Req<'importDataset'>): Promise<DatasetInfo> {
    const manifest =
      source.kind === 'idx'
        ? await importIdx({ name, train: { images: source.imagesPath, labels: source.labelsPath } }, { cacheDir })
        : await importPngFolder({ folder: source.path, name }, { cacheDir });
    return fromManifest(manifest);
  }

  return { listDatasets, downloadDataset, importDataset };
}
