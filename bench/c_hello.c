/* The ceiling: a plain C hello-world server on libevent's evhttp, one loop,
 * EPOLL_USE_CHANGELIST. Answers every request like the probe's /hello; with
 * FILE set, /file answers that file with evbuffer_add_file (sendfile).
 * Usage: c_hello PORT [FILE] */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *file_path;

static void on_request(struct evhttp_request *req, void *arg) {
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

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: c_hello PORT [FILE]\n"); return 2; }
    file_path = argc > 2 ? argv[2] : NULL;
    signal(SIGPIPE, SIG_IGN);
    struct event_config *config = event_config_new();
    event_config_set_flag(config, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    struct event_base *base = event_base_new_with_config(config);
    struct evhttp *http = evhttp_new(base);
    evhttp_set_gencb(http, on_request, NULL);
    if (!evhttp_bind_socket_with_handle(http, "127.0.0.1", (unsigned short)atoi(argv[1]))) {
        perror("bind");
        return 1;
    }
    event_base_dispatch(base);
    return 0;
}
