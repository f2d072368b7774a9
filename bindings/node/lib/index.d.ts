// SPDX-License-Identifier: Apache-2.0
// TypeScript declarations of the pindeck package (lib/index.js).
import { EventEmitter } from 'node:events';

/** pd_status_name of a libpindeck status. */
export type ErrorCode =
  | 'invalid' | 'not_found' | 'conflict' | 'io' | 'database' | 'media' | 'network' | 's3'
  | 'nomem' | 'internal' | 'closed' | 'misuse';

export class PindeckError extends Error {
  constructor(code: ErrorCode, message: string, details?: {
    httpStatus?: number; s3Code?: string; requestId?: string;
  });
  readonly code: ErrorCode;
  /** S3 failures: the HTTP status, S3's error code and the request id. */
  readonly httpStatus?: number;
  readonly s3Code?: string;
  readonly requestId?: string;
}

export type PersistStatus = 'pending' | 'succeeded' | 'failed';

/** A record, with Pindeck's camelCase field names (see include/pindeck/record.hpp). */
export interface PindeckRecord {
  id: string;
  title: string;
  category: string;
  tags: string[];
  uniqueId: string;
  uploadedAt: number;
  description?: string;
  colors?: string[];
  storagePersistStatus?: PersistStatus;
  storagePersistError?: string;
  storagePath?: string;
  previewStoragePath?: string;
  derivativeStoragePaths?: Record<string, string>;
  imageUrl?: string;
  sourceUrl?: string;
  sourceType?: string;
  status?: string;
  externalId?: string;
  parentImageId?: string;
  [field: string]: unknown;
}

/** Fields of a record the host sets (title, tags, ...). */
export type Metadata = Partial<Omit<PindeckRecord, 'id'>>;

export interface Filters {
  category?: string; group?: string; projectName?: string; moodboardName?: string;
  sourceType?: string; status?: string; genre?: string; style?: string; shot?: string;
  aiStatus?: string; variationType?: string; tag?: string; tags?: string[];
  originalsOnly?: boolean; color?: string; colorDistance?: number;
  order?: 'uploadedAt' | 'project' | 'closeness'; limit?: number; cursor?: string;
}

export interface Page {
  records: PindeckRecord[];
  nextCursor: string | null;
}

export interface S3Settings {
  endpoint?: string; region?: string; accessKey?: string; secretKey?: string;
  sessionToken?: string; publicBaseUrl?: string; caFile?: string;
}

/** pd_persistence_start's settings. */
export interface PersistenceConfig {
  bucket?: string; keyPrefix?: string; s3?: S3Settings; maxInFlight?: number; maxUploading?: number;
  cpuThreads?: number; maxAttempts?: number; retryMinDelayMs?: number; retryMaxDelayMs?: number;
  leaseMs?: number; pollIntervalMs?: number; maxUploadBytes?: number;
  stagingOrphanAgeMs?: number; createBucket?: boolean;
}

export interface FetchSettings {
  allowPrivateNetwork?: boolean; maxBytes?: number; connectTimeoutMs?: number;
  totalTimeoutMs?: number;
}

export interface Created {
  created: boolean;
  record: PindeckRecord;
}

export type ImageResult =
  | { imageUrl: string; created: boolean; record: PindeckRecord }
  | { imageUrl: string; error: { status: ErrorCode; message: string } };

export interface DeleteReport {
  dryRun: boolean;
  deleted: { id: string; title: string; objectKeys: string[] }[];
  cleanupPending: number;
}

/** Every host's persistence jobs, as the catalog holds them (pd_queue_counts). */
export interface QueueCounts {
  queued: number;
  claimed: number;
  retryLater: number;
  failed: number;
  /** The queued per first-stage store id ("" for jobs any worker may take). */
  queuedBySite: Record<string, number>;
}

/** This client's own workers since persistence started (pd_worker_counts). */
export interface WorkerCounts {
  claimed: number;
  succeeded: number;
  retried: number;
  failed: number;
  released: number;
  inFlight: number;
}

export interface PersistStatusEvent {
  type: 'persistStatus';
  id: string;
  status: PersistStatus;
  error?: string;
  record: PindeckRecord;
}

export interface UploadProgressEvent {
  type: 'uploadProgress';
  id: string;
  key: string;
  bytesSent: number;
  bytesTotal: number;
}

export type ImageSource = string | Uint8Array | ArrayBuffer;

export class Client extends EventEmitter {
  static open(dataDir: string): Promise<Client>;
  startPersistence(config?: PersistenceConfig | null): Promise<void>;
  upload(source: ImageSource, metadata?: Metadata | null,
         options?: { fileName?: string }): Promise<PindeckRecord>;
  waitPersisted(id: string, options?: { timeoutMs?: number }): Promise<PindeckRecord>;
  get(id: string): Promise<PindeckRecord>;
  list(filters?: Filters | null): Promise<Page>;
  listAll(filters?: Filters): AsyncGenerator<PindeckRecord, void, undefined>;
  search(text: string, filters?: Filters | null): Promise<Page>;
  searchAll(text: string, filters?: Filters): AsyncGenerator<PindeckRecord, void, undefined>;
  update(id: string, patch: Metadata): Promise<PindeckRecord>;
  delete(id: string): Promise<void>;
  deleteMany(request: { ids?: string[]; where?: Filters; family?: boolean; dryRun?: boolean })
    : Promise<DeleteReport>;
  backfill(limit?: number, options?: { includePermanent?: boolean }): Promise<number>;
  queueCounts(): Promise<QueueCounts>;
  workerCounts(): Promise<WorkerCounts>;
  setFetchSettings(settings: FetchSettings): void;
  ingestUrl(url: string, metadata?: Metadata | null): Promise<Created>;
  ingestDiscordMessage(message: object | string,
                       options?: { owner?: string; defaultTags?: string[]; maxImages?: number } | null)
    : Promise<ImageResult[]>;
  ingestPinterestPin(pin: { pageUrl: string; imageUrl: string; title?: string;
                            description?: string; board?: string }): Promise<Created>;
  ingestPinterestFeed(feedTextOrUrl: string, board?: string | null): Promise<ImageResult[]>;
  registerVariation(parentId: string, image: string, metadata?: Metadata | null): Promise<Created>;
  approve(ids: string[]): Promise<PindeckRecord[]>;
  reject(ids: string[]): Promise<DeleteReport>;
  close(): Promise<void>;

  on(event: 'persistStatus', listener: (event: PersistStatusEvent) => void): this;
  on(event: 'uploadProgress', listener: (event: UploadProgressEvent) => void): this;
  on(event: 'error', listener: (error: unknown) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: 'persistStatus', listener: (event: PersistStatusEvent) => void): this;
  once(event: 'uploadProgress', listener: (event: UploadProgressEvent) => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}

export interface S3Config extends S3Settings {
  bucket?: string; multipartThresholdBytes?: number; partSizeBytes?: number;
}

export interface ObjectHead {
  key: string; size: number; etag: string; contentType: string; lastModified: string;
}

export interface ObjectSummary {
  key: string; size: number; etag: string; lastModified: string;
}

export class S3 {
  static open(config?: S3Config | null): S3;
  put(key: string, source: ImageSource, options?: { contentType?: string; [option: string]: unknown } | null)
    : Promise<{ etag: string; size: number }>;
  get(key: string): Promise<Buffer>;
  getToFile(key: string, path: string): Promise<ObjectHead | null>;
  head(key: string): Promise<ObjectHead>;
  delete(key: string): Promise<void>;
  deleteMany(keys: string[]): Promise<{
    deleted: string[]; errors: { key: string; code: string; message: string }[];
  }>;
  list(options?: { prefix?: string; maxKeys?: number; continuationToken?: string } | null)
    : Promise<{ objects: ObjectSummary[]; nextContinuationToken: string | null }>;
  listAll(options?: { prefix?: string; maxKeys?: number }): AsyncGenerator<ObjectSummary, void, undefined>;
  presign(method: 'GET' | 'PUT', key: string, expiresSeconds?: number): string;
  close(): Promise<void>;
}

export interface Probe {
  format: 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'heic' | 'tiff';
  contentType: string; width: number; height: number; pages: number; animated: boolean;
  orientation: number; hasAlpha: boolean; hasIccProfile: boolean;
}

export interface Derivatives {
  source: Probe;
  colors: string[] | null;
  outputs: {
    role: 'preview' | 'small' | 'medium' | 'large';
    width: number; height: number; contentType: string; size: number; data: Buffer;
  }[];
}

export function probe(source: ImageSource): Promise<Probe>;
export function derive(source: ImageSource, options?: { palette?: boolean } | null)
  : Promise<Derivatives>;
export function palette(source: ImageSource): Promise<string[]>;
/** "major.minor.patch" of the libpindeck the addon loaded. */
export const version: string;
