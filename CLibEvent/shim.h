// The libevent 2.1 API that GatewayEvent uses, plus a few inline helpers for
// what Swift cannot reach directly (TAILQ walking, fields without getters).
#ifndef EVENTGATEWAY_CLIBEVENT_SHIM_H
#define EVENTGATEWAY_CLIBEVENT_SHIM_H

#include <sys/types.h>
#include <sys/socket.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <event2/keyvalq_struct.h>

/// First header of a header list, or NULL.
static inline struct evkeyval *eg_headers_first(struct evkeyvalq *headers) {
    return headers->tqh_first;
}

/// The header after `kv`, or NULL.
static inline struct evkeyval *eg_headers_next(struct evkeyval *kv) {
    return kv->next.tqe_next;
}

/// HTTP version of a parsed request; 2.1 has no getter for it.
static inline int eg_request_major(const struct evhttp_request *req) { return req->major; }
static inline int eg_request_minor(const struct evhttp_request *req) { return req->minor; }

#endif
