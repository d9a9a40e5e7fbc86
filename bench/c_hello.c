/* The ceiling: a plain C hello-world server on libevent's evhttp,
 * EPOLL_USE_CHANGELIST. Answers every request like the probe's /hello; with
 * FILE set (not "-"), /file answers that file with evbuffer_add_file
 * (sendfile).
 *
 * LOOPS (default 1) event loops serve one listening socket: loop 0 binds it
 * and runs on the main thread; every other loop is a thread with its own
 * event_base and evhttp accepting on a duplicate of the same descriptor
 * (evhttp_accept_socket), as the gateway's --reactors does.
 *
 * Usage: c_hello PORT [FILE|-] [LOOPS] */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *file_path;

static void on_request(struct evhttp_request *req, void *arg) {
    (void)arg;
    struct evbuffer *body = evbuffer_new();
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    const char *uri = evhttp_request_get_uri(req);
    if (file_path && strncmp(uri, "/file", 5) == 0) {
        int fd = open(file_path, O_RDONLY);
        struct stat st;
        fstat(fd, &st);
        evbuffer_add_file(body, fd, 0, st.st_size);
        evhttp_add_header(out, "Content-Type", "application/octet-stream");
    } else {
        evbuffer_add(body, "Hello, World!", 13);
        evhttp_add_header(out, "Content-Type", "text/plain; charset=utf-8");
    }
    evhttp_send_reply(req, 200, "OK", body);
    evbuffer_free(body);
}

/* One loop: its own event_base (with the changelist flag) and evhttp. */
static struct evhttp *new_loop(struct event_base **base) {
    struct event_config *config = event_config_new();
    event_config_set_flag(config, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    *base = event_base_new_with_config(config);
    event_config_free(config);
    if (!*base) return NULL;
    struct evhttp *http = evhttp_new(*base);
    if (http) evhttp_set_gencb(http, on_request, NULL);
    return http;
}

static void *run_loop(void *base) {
    event_base_dispatch(base);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: c_hello PORT [FILE|-] [LOOPS]\n"); return 2; }
    file_path = argc > 2 && strcmp(argv[2], "-") != 0 ? argv[2] : NULL;
    int loops = argc > 3 ? atoi(argv[3]) : 1;
    if (loops < 1) { fprintf(stderr, "LOOPS must be >= 1\n"); return 2; }
    signal(SIGPIPE, SIG_IGN);

    struct event_base *base;
    struct evhttp *http = new_loop(&base);
    if (!http) { fprintf(stderr, "event_base/evhttp failed\n"); return 1; }
    struct evhttp_bound_socket *bound =
        evhttp_bind_socket_with_handle(http, "127.0.0.1", (unsigned short)atoi(argv[1]));
    if (!bound) {
        perror("bind");
        return 1;
    }
    evutil_socket_t listener = evhttp_bound_socket_get_fd(bound);
    for (int i = 1; i < loops; i++) {
        struct event_base *other;
        struct evhttp *other_http = new_loop(&other);
        /* evhttp owns the descriptor it is given: each loop gets a duplicate. */
        if (!other_http || evhttp_accept_socket(other_http, dup(listener)) != 0) {
            fprintf(stderr, "loop %d: evhttp_accept_socket failed\n", i);
            return 1;
        }
        pthread_t thread;
        if (pthread_create(&thread, NULL, run_loop, other) != 0) {
            perror("pthread_create");
            return 1;
        }
    }
    event_base_dispatch(base);
    return 0;
}
