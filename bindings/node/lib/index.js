// SPDX-License-Identifier: Apache-2.0
// The pindeck package: libpindeck's Client, S3 client and media functions for Node. Every long
// call returns a Promise settled from the library (its own completion callback, or a libuv pool
// worker for calls without an asynchronous C form); this file only turns JavaScript values into
// the C ABI's JSON and back.
'use strict';

const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');

// The addon: $PINDECK_NODE_ADDON, else $PINDECK_BUILD_DIR's, else the checkout's build/.
function addonPath() {
  if (process.env.PINDECK_NODE_ADDON) return path.resolve(process.env.PINDECK_NODE_ADDON);
  const buildDir = process.env.PINDECK_BUILD_DIR || path.join(__dirname, '..', '..', '..', 'build');
  return path.resolve(buildDir, 'bindings', 'node', 'pindeck.node');
}

const native = require(addonPath());

/** A failure reported by libpindeck. */
class PindeckError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'PindeckError';
    this.code = code;
    if (details.httpStatus !== undefined) this.httpStatus = details.httpStatus;
    if (details.s3Code !== undefined) this.s3Code = details.s3Code;
    if (details.requestId !== undefined) this.requestId = details.requestId;
  }
}

native.setErrorFactory(
  (code, message, detailsJson) => new PindeckError(code, message, JSON.parse(detailsJson)));

const EVENT_TYPES = new Set(['persistStatus', 'uploadProgress']);

function json(value) {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

function parsed(text) {
  return text === null ? null : JSON.parse(text);
}

async function* allPages(fetchPage, filters) {
  let cursor;
  do {
    const page = await fetchPage({ ...filters, ...(cursor ? { cursor } : {}) });
    yield* page.records;
    cursor = page.nextCursor;
  } while (cursor);
}

/**
 * A catalog in a data directory. Emits 'persistStatus' and 'uploadProgress' with the library's
 * event objects while it has listeners for them. A listener that throws does not stop the others
 * for later events: the error goes to the client's 'error' listeners, or, when it has none, to a
 * process warning.
 */
class Client extends EventEmitter {
  /** Opens (creating if needed) the data directory `dataDir`. */
  static async open(dataDir) {
    const handle = new native.NativeClient();
    await handle.open(dataDir);
    return new Client(handle);
  }

  constructor(handle) {
    super();
    this._native = handle;
    this._closed = null;
    this.on('newListener', (type) => {
      if (EVENT_TYPES.has(type) && !this._closed) {
        this._native.subscribe((eventJson) => this._dispatch(eventJson));
      }
    });
    this.on('removeListener', () => {
      if (![...EVENT_TYPES].some((type) => this.listenerCount(type) > 0)) {
        this._native.unsubscribe();
      }
    });
  }

  _dispatch(eventJson) {
    const event = JSON.parse(eventJson);
    try {
      this.emit(event.type, event);
    } catch (err) {
      if (this.listenerCount('error') > 0) {
        this.emit('error', err);
      } else {
        const warning = new Error(`a '${event.type}' listener of a pindeck Client threw: ${err}`,
          { cause: err });
        warning.name = 'PindeckListenerError';
        process.emitWarning(warning);
      }
    }
  }

  async startPersistence(config) {
    await this._native.startPersistence(json(config));
  }

  /** Uploads an image file (a path) or bytes; `options.fileName` names bytes without a title. */
  async upload(source, metadata, options = {}) {
    const text = typeof source === 'string'
      ? await this._native.uploadFile(source, json(metadata))
      : await this._native.uploadBytes(source, options.fileName ?? null, json(metadata));
    return JSON.parse(text);
  }

  /** The record once persisted or failed, or still pending after `timeoutMs` (default 60 s). */
  async waitPersisted(id, { timeoutMs = 60000 } = {}) {
    return JSON.parse(await this._native.waitPersisted(id, timeoutMs));
  }

  async get(id) {
    return JSON.parse(await this._native.get(id));
  }

  /** One page: { records, nextCursor } (nextCursor null on the last page). */
  async list(filters) {
    return JSON.parse(await this._native.list(json(filters)));
  }

  listAll(filters = {}) {
    return allPages((query) => this.list(query), filters);
  }

  async search(text, filters) {
    return JSON.parse(await this._native.search(text, json(filters)));
  }

  searchAll(text, filters = {}) {
    return allPages((query) => this.search(text, query), filters);
  }

  async update(id, patch) {
    return JSON.parse(await this._native.update(id, JSON.stringify(patch)));
  }

  async delete(id) {
    await this._native.delete(id);
  }

  /** { ids } or { where }, with optional family and dryRun; resolves with the report. */
  async deleteMany(request) {
    return JSON.parse(await this._native.deleteMany(JSON.stringify(request)));
  }

  /** Reschedules persistence of up to `limit` records; resolves with how many. */
  async backfill(limit = 50, { includePermanent = false } = {}) {
    return JSON.parse(await this._native.backfill(limit, includePermanent ? 1 : 0));
  }

  /** Every host's persistence jobs as the catalog holds them:
   *  { queued, claimed, retryLater, failed, queuedBySite }. */
  async queueCounts() {
    return JSON.parse(await this._native.queueCounts());
  }

  /** What this client's own workers did since persistence started:
   *  { claimed, succeeded, retried, failed, released, inFlight }, claimed being the sum of the
   *  others. All zero while persistence does not run. */
  async workerCounts() {
    return JSON.parse(await this._native.workerCounts());
  }

  setFetchSettings(settings) {
    this._native.setFetchSettings(JSON.stringify(settings));
  }

  async ingestUrl(url, metadata) {
    return JSON.parse(await this._native.ingestUrl(url, json(metadata)));
  }

  async ingestDiscordMessage(message, options) {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    return JSON.parse(await this._native.ingestDiscordMessage(text, json(options)));
  }

  async ingestPinterestPin(pin) {
    return JSON.parse(await this._native.ingestPinterestPin(JSON.stringify(pin)));
  }

  async ingestPinterestFeed(feed, board) {
    return JSON.parse(await this._native.ingestPinterestFeed(feed, board ?? null));
  }

  async registerVariation(parentId, image, metadata) {
    return JSON.parse(await this._native.registerVariation(parentId, image, json(metadata)));
  }

  async approve(ids) {
    return JSON.parse(await this._native.approve(JSON.stringify(ids)));
  }

  async reject(ids) {
    return JSON.parse(await this._native.reject(JSON.stringify(ids)));
  }

  /** Closes the client once its calls in flight are done; later calls fail with 'misuse'. */
  close() {
    this._closed ??= this._native.close().then(() => undefined);
    return this._closed;
  }
}

/** The S3 client on its own. */
class S3 {
  /** `config` as pd_s3_open takes it; none: from the environment, as persistence reads it. */
  static open(config) {
    return new S3(new native.NativeS3(json(config)));
  }

  constructor(handle) {
    this._native = handle;
  }

  async put(key, source, options) {
    const text = typeof source === 'string'
      ? await this._native.putFile(key, source, json(options))
      : await this._native.putBytes(key, source, json(options));
    return JSON.parse(text);
  }

  /** The object's bytes as a Buffer. */
  get(key) {
    return this._native.get(key);
  }

  async getToFile(key, filePath) {
    return parsed(await this._native.getToFile(key, filePath));
  }

  async head(key) {
    return JSON.parse(await this._native.head(key));
  }

  async delete(key) {
    await this._native.delete(key);
  }

  async deleteMany(keys) {
    return JSON.parse(await this._native.deleteMany(JSON.stringify(keys)));
  }

  /** One page: { objects, nextContinuationToken }. */
  async list(options) {
    return JSON.parse(await this._native.list(json(options)));
  }

  async* listAll(options = {}) {
    let token;
    do {
      const page = await this.list({ ...options, ...(token ? { continuationToken: token } : {}) });
      yield* page.objects;
      token = page.nextContinuationToken;
    } while (token);
  }

  /** A presigned URL for 'GET' or 'PUT'. */
  presign(method, key, expiresSeconds = 900) {
    return this._native.presign(method, key, expiresSeconds);
  }

  /** Closes the client once its calls in flight are done; later calls throw. */
  async close() {
    await this._native.close();
  }
}

/** What an image is, from its header: { format, contentType, width, height, ... }. */
async function probe(source) {
  return JSON.parse(await native.probe(source));
}

/** The preview and 320/768/1280 WebP derivatives and the palette, each output with its bytes. */
async function derive(source, options) {
  const { json: text, outputs } = await native.derive(source, json(options));
  const result = JSON.parse(text);
  result.outputs.forEach((output, index) => { output.data = outputs[index]; });
  return result;
}

/** The palette of an image (a path or bytes): up to five "#rrggbb", most dominant first. */
async function palette(source) {
  const bytes = typeof source === 'string' ? await fs.promises.readFile(source) : source;
  return JSON.parse(await native.palette(bytes));
}

module.exports = { Client, S3, PindeckError, probe, derive, palette, version: native.version };
