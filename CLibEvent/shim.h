// The libevent 2.1 core API that GatewayEvent uses: the loop, buffers,
// bufferevents and the listener (all in libevent_core; evhttp is not used).
#ifndef EVENTGATEWAY_CLIBEVENT_SHIM_H
#define EVENTGATEWAY_CLIBEVENT_SHIM_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#endif
