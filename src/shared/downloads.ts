// Browser downloads from `rlab serve` (src/main/server/PROTOCOL.md, "Downloads"): a WebSocket call that is the
// server's own, not a LabApi method (Electron saves through the LabApi's exportModel instead).
import { z } from 'zod';
import { RunIdSchema } from './schemas';

/** The WebSocket method that exports a run's model into a one-time download. */
export const CREATE_DOWNLOAD_METHOD = 'createModelDownload';
/** Where a ticket is redeemed: `GET /download/<ticket>`. */
export const DOWNLOAD_PATH = '/download/';

export const CreateModelDownloadRequestSchema = z.object({ runId: RunIdSchema, format: z.enum(['tfjs', 'onnx']).default('tfjs') }).strict();
export type CreateModelDownloadRequest = z.input<typeof CreateModelDownloadRequestSchema>;

export interface ModelDownloadTicket {
  /** Path to fetch on the same server, `/download/<32 hex>`: one GET, before `expiresAt`. */
  url: string;
  /** The name the file downloads under: `….zip` (TF.js folder) or `….onnx`. */
  filename: string;
  /** Exact length of the download. */
  bytes: number;
  /** ISO time after which the URL answers 410. */
  expiresAt: string;
}
