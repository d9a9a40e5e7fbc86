/* The libevent floor: a C hello on bare libevent bufferevents, no evhttp.
 * An evconnlistener accepts; each connection is one bufferevent; a request is
 * whatever ends in "\r\n\r\n" in the input evbuffer (evbuffer_search: no
 * parsing, no request body), and each one is answered, in order, with the
 * same fixed response: the probe's /hello (13-byte body, its Content-Type)
 * with Content-Length and a Date rewritten once a second by a timer. Always
 * keep-alive (wrk, curl and bench/instructions.py speak HTTP/1.1); pipelined
 * requests get their responses in order. A client's FIN still gets every
 * response already queued before the connection is freed.
 *
 * This is what libevent itself costs per request, the floor under any server
 * on it (issue #21); bench/c_hello.c is the same hello through evhttp.
 *
 * LOOPS (default 1) event loops serve one listening socket, as in c_hello:
 * loop 0 binds it and runs on the main thread, every other loop is a thread
 * with its own event_base and evconnlistener on a duplicate descriptor.
 *
 * Usage: c_hello_bufferevent PORT [-] [LOOPS]  (the second argument, c_hello's
 * FILE, is accepted for the same command line and must be "-": no /file) */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Longest head kept waiting for its "\r\n\r\n" before the connection is cut. */
#define MAX_HEAD (64 * 1024)

/* One event loop and its response, whose Date its own timer keeps current:
 * no lock, no per-request formatting. */
struct loop {
    struct event_base *base;
    struct event *tick;
    char response[256];
    size_t length;
};

static void set_response(struct loop *loop) {
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&now, &tm));
    loop->length = (size_t)snprintf(loop->response, sizeof loop->response,
                                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                    "Date: %s\r\nContent-Length: 13\r\n\r\nHello, World!", date);
}

static void on_tick(evutil_socket_t fd, short what, void *arg) {
    (void)fd, (void)what;
    set_response(arg);
}

/* After the client's FIN: free the connection once its responses are out. */
static void on_drained(struct bufferevent *bev, void *arg) {
    (void)arg;
    bufferevent_free(bev);
}

static void on_read(struct bufferevent *bev, void *arg) {
    struct loop *loop = arg;
    struct evbuffer *input = bufferevent_get_input(bev);
    struct evbuffer *output = bufferevent_get_output(bev);
    for (;;) {
        struct evbuffer_ptr end = evbuffer_search(input, "\r\n\r\n", 4, NULL);
        if (end.pos < 0) break;
        evbuffer_drain(input, (size_t)end.pos + 4);
        evbuffer_add(output, loop->response, loop->length);
    }
    if (evbuffer_get_length(input) > MAX_HEAD) bufferevent_free(bev);
}

static void on_event(struct bufferevent *bev, short what, void *arg) {
    (void)arg;
    if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
        evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
        bufferevent_disable(bev, EV_READ);
        bufferevent_setcb(bev, NULL, on_drained, on_event, arg);
        return;
    }
    bufferevent_free(bev);
}

static void on_accept(struct evconnlistener *listener, evutil_socket_t fd, struct sockaddr *address,
                      int length, void *arg) {
    (void)listener, (void)address, (void)length;
    struct loop *loop = arg;
    struct bufferevent *bev = bufferevent_socket_new(loop->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        close(fd);
        return;
    }
    bufferevent_setcb(bev, on_read, NULL, on_event, loop);
    bufferevent_enable(bev, EV_READ);
}

/* One loop: its event_base (EPOLL_USE_CHANGELIST, as c_hello's) and the
 * timer that rewrites its Date once a second. */
static struct loop *new_loop(void) {
    struct loop *loop = calloc(1, sizeof *loop);
    struct event_config *config = event_config_new();
    event_config_set_flag(config, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    loop->base = event_base_new_with_config(config);
    event_config_free(config);
    if (!loop->base) return NULL;
    set_response(loop);
    loop->tick = event_new(loop->base, -1, EV_PERSIST, on_tick, loop);
    struct timeval second = {1, 0};
    event_add(loop->tick, &second);
    return loop;
}

static void *run_loop(void *base) {
    event_base_dispatch(base);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2 || (argc > 2 && strcmp(argv[2], "-") != 0)) {
        fprintf(stderr, "usage: c_hello_bufferevent PORT [-] [LOOPS]\n");
        return 2;
    }
    int loops = argc > 3 ? atoi(argv[3]) : 1;
    if (loops < 1) { fprintf(stderr, "LOOPS must be >= 1\n"); return 2; }
    signal(SIGPIPE, SIG_IGN);

    struct loop *first = new_loop();
    if (!first) { fprintf(stderr, "event_base failed\n"); return 1; }
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    /* Backlog 1024: wrk opens 1000 connections at once. */
    struct evconnlistener *listener =
        evconnlistener_new_bind(first->base, on_accept, first, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 1024,
                                (struct sockaddr *)&address, sizeof address);
    if (!listener) {
        perror("bind");
        return 1;
    }
    evutil_socket_t fd = evconnlistener_get_fd(listener);
    for (int i = 1; i < loops; i++) {
        struct loop *other = new_loop();
        /* An evconnlistener on an already listening descriptor does not
         * listen() again; each loop gets a duplicate it may close. */
        if (!other || !evconnlistener_new(other->base, on_accept, other, LEV_OPT_CLOSE_ON_FREE, -1, dup(fd))) {
            fprintf(stderr, "loop %d: evconnlistener_new failed\n", i);
            return 1;
        }
        pthread_t thread;
        if (pthread_create(&thread, NULL, run_loop, other->base) != 0) {
            perror("pthread_create");
            return 1;
        }
    }
    event_base_dispatch(first->base);
    return 0;
}
