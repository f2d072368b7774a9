/* SPDX-License-Identifier: Apache-2.0 */
/* libpindeck C ABI: persistence status and upload progress events (included by pindeck/pindeck.h).
 *
 * A host subscribes a function to a client and hears, without polling, what the client's
 * persistence workers do. Each event is a JSON object:
 *   {"type": "persistStatus", "id": record id, "status": "pending" | "succeeded" | "failed",
 *    "error": the record's storagePersistError (only when "failed"), "record": the record as
 *    stored right after the change}
 *     pending when an upload or a source stored the record and when a backfill of this client
 *     requeues it (not for a retry within a job's attempts), succeeded or failed when its job
 *     settled;
 *   {"type": "uploadProgress", "id": record id, "key": object key, "bytesSent", "bytesTotal"}
 *     one per object of a record (original, preview, derivatives) once the object store holds it,
 *     with bytesSent equal to bytesTotal: the S3 client reports no progress within an object.
 * Events come from this client's own workers: a record another process persists is not announced
 * (pd_wait_persisted sees it). Events of one record arrive in order (pending, its uploads, then
 * succeeded or failed), and every subscriber sees every event in the same order.
 *
 * Delivery: one thread per client calls the subscribed functions, one call at a time, never while
 * the catalog or a lock of the library is held, so a function may call into the library (such as
 * pd_record_get, or pd_events_unsubscribe). Persistence never waits for a subscriber: events
 * queue up while a function runs (without bound), so a function should return quickly.
 */
#ifndef PINDECK_EVENTS_H
#define PINDECK_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "pindeck/pindeck.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Receives one event; `event_json` is valid only during the call. It runs on the client's event
 * thread and must not close the client. */
typedef void (*pd_event_fn)(void* user, const char* event_json);

/* Calls `fn` with `user` for every event of `client` from now on, until pd_events_unsubscribe or
 * pd_client_close (which ends every subscription; events still queued are dropped). The same
 * function may be subscribed more than once: each subscription is called. Does not start
 * persistence. *out_subscription receives the subscription's id (never 0; 0 on failure), unique in
 * the process.
 * PD_ERR_INVALID: client, fn or out_subscription is NULL; PD_ERR_MISUSE: the client was closed. */
PD_EXPORT int pd_events_subscribe(pd_client* client, pd_event_fn fn, void* user,
                                  uint64_t* out_subscription);

/* Ends a subscription: once this returns, its function is not called again (a call running on
 * the event thread is waited for). Called from inside that function itself, it returns at once and
 * the current call is the last.
 * PD_ERR_INVALID: client is NULL; PD_ERR_NOT_FOUND: `subscription` is not a live subscription of
 * this client (never was, or already ended); PD_ERR_MISUSE: the client was closed (which ended
 * its subscriptions already). */
PD_EXPORT int pd_events_unsubscribe(pd_client* client, uint64_t subscription);

#ifdef __cplusplus
}
#endif

#endif
