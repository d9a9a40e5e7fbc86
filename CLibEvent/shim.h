// The libevent 2.1 API that GatewayEvent uses, plus a few inline helpers for
// what Swift cannot reach directly (TAILQ walking, fields without getters).
#ifndef EVENTGATEWAY_CLIBEVENT_SHIM_H
#define EVENTGATEWAY_CLIBEVENT_SHIM_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/keyvalq_struct.h>

#endif
