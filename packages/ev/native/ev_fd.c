/*
 * ev_fd: readiness of raw file descriptors for @g/ev's io watchers, over libuv's uv_poll in
 * the calling thread's Node event loop. Node-API version 8: one binary serves every Node
 * version that has it (20, 22, 24, ...).
 *
 * JavaScript API (the exports):
 *   version                 this helper's interface version (1)
 *   open(fd, callback)      a poll handle for fd (stopped, referenced); callback(status,
 *                           events) is called from libuv when fd is ready: status < 0 is a
 *                           libuv error code, events has bit 1 (readable) and 2 (writable).
 *                           Throws an Error with `code` (libuv's name: EEXIST when Node or
 *                           another handle already watches fd, EPERM for files that cannot
 *                           be polled, EBADF for a closed fd) and `errno`. Note: libuv puts
 *                           fd in non-blocking mode.
 *   start(handle, events)   polls for events (1 | 2); 0 stops polling.
 *   ref(handle, on)         whether the handle keeps the Node process alive.
 *   close(handle)           stops and releases the handle; the callback is never called
 *                           again. Calling it twice does nothing.
 *   check(fd)               poll(2) with a zero timeout: 1 readable, 2 writable, 4 error,
 *                           8 hang-up, 16 fd not open.
 *
 * Every handle is closed when its Node environment (a Worker) shuts down: each handle holds
 * an asynchronous cleanup hook (Node-API 8) until libuv has called its close callback, so
 * Node neither closes the thread's loop nor unloads this library before that.
 */

#define _GNU_SOURCE /* POSIX types in uv.h (pthread_rwlock_t, struct addrinfo) */
#define NAPI_VERSION 8
#include <errno.h>
#include <node_api.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#define HELPER_VERSION 1

typedef struct fd_handle {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  napi_async_cleanup_hook_handle cleanup;
  int closed;
} fd_handle;

/* Returns from the calling function with NULL when a Node-API call fails (its exception,
 * if any, stays pending for JavaScript). */
#define CALL(expr)                                                                     \
  do {                                                                                 \
    if ((expr) != napi_ok) return NULL;                                                \
  } while (0)

static napi_value throw_uv(napi_env env, int err, const char* what) {
  napi_value code, msg, error, errnum;
  char text[256];
  snprintf(text, sizeof text, "%s: %s (%s)", what, uv_strerror(err), uv_err_name(err));
  if (napi_create_string_utf8(env, uv_err_name(err), NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg) != napi_ok ||
      napi_create_error(env, code, msg, &error) != napi_ok ||
      napi_create_int32(env, err, &errnum) != napi_ok ||
      napi_set_named_property(env, error, "errno", errnum) != napi_ok) {
    return NULL;
  }
  napi_throw(env, error);
  return NULL;
}

static napi_value throw_type(napi_env env, const char* msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

/* The handle is closed: let the environment finish its teardown (if it is in one), free. */
static void on_close(uv_handle_t* h) {
  fd_handle* w = (fd_handle*)h->data;
  if (w->cleanup != NULL) napi_remove_async_cleanup_hook(w->cleanup);
  free(w);
}

/* Closes the libuv handle; the memory goes in its close callback. */
static void close_handle(fd_handle* w) {
  if (w->closed) return;
  w->closed = 1;
  uv_close((uv_handle_t*)&w->poll, on_close);
}

/* The environment is going away (process exit, Worker end): close the handle so that the
 * thread's loop can close; teardown waits for on_close. Node-API objects (the callback
 * reference, the async context) are released with the environment. */
static void on_env_cleanup(napi_async_cleanup_hook_handle hook, void* arg) {
  (void)hook; /* the same as w->cleanup */
  close_handle((fd_handle*)arg);
}

static void on_poll(uv_poll_t* h, int status, int events) {
  fd_handle* w = (fd_handle*)h->data;
  if (w->closed) return;
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, argv[2];
  if (napi_get_reference_value(env, w->callback, &cb) == napi_ok && cb != NULL &&
      napi_get_global(env, &recv) == napi_ok &&
      napi_create_int32(env, status, &argv[0]) == napi_ok &&
      napi_create_int32(env, events, &argv[1]) == napi_ok) {
    napi_status st = napi_make_callback(env, w->async, recv, cb, 2, argv, NULL);
    if (st == napi_pending_exception) {
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

static fd_handle* unwrap(napi_env env, napi_value value) {
  void* data = NULL;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external ||
      napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "ev_fd: not a handle made by open()");
    return NULL;
  }
  fd_handle* w = (fd_handle*)data;
  if (w->closed) {
    napi_throw_error(env, "ERR_EV_FD_CLOSED", "ev_fd: the handle was closed");
    return NULL;
  }
  return w;
}

static int get_fd(napi_env env, napi_value value, int* fd) {
  int32_t v;
  if (napi_get_value_int32(env, value, &v) != napi_ok || v < 0) return 0;
  *fd = v;
  return 1;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CALL(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 2 || !get_fd(env, argv[0], &fd)) {
    return throw_type(env, "ev_fd.open(fd, callback): fd must be an integer >= 0");
  }
  napi_valuetype type;
  CALL(napi_typeof(env, argv[1], &type));
  if (type != napi_function) {
    return throw_type(env, "ev_fd.open(fd, callback): callback must be a function");
  }
  uv_loop_t* loop;
  CALL(napi_get_uv_event_loop(env, &loop));
  fd_handle* w = (fd_handle*)calloc(1, sizeof *w);
  if (w == NULL) return throw_uv(env, UV_ENOMEM, "ev_fd.open");
  int err = uv_poll_init(loop, &w->poll, fd);
  if (err != 0) {
    free(w);
    return throw_uv(env, err, "ev_fd.open: uv_poll_init");
  }
  w->poll.data = w;
  w->env = env;
  napi_value name, external;
  if (napi_create_reference(env, argv[1], 1, &w->callback) != napi_ok ||
      napi_create_string_utf8(env, "@g/ev:fd", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &w->async) != napi_ok ||
      napi_add_async_cleanup_hook(env, on_env_cleanup, w, &w->cleanup) != napi_ok ||
      napi_create_external(env, w, NULL, NULL, &external) != napi_ok) {
    close_handle(w);
    return NULL;
  }
  return external;
}

static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CALL(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_type(env, "ev_fd.start(handle, events): two arguments");
  fd_handle* w = unwrap(env, argv[0]);
  if (w == NULL) return NULL;
  int32_t events;
  CALL(napi_get_value_int32(env, argv[1], &events));
  if ((events & ~(UV_READABLE | UV_WRITABLE)) != 0) {
    return throw_type(env, "ev_fd.start: events must be a combination of 1 and 2");
  }
  int err = events == 0 ? uv_poll_stop(&w->poll) : uv_poll_start(&w->poll, events, on_poll);
  if (err != 0) return throw_uv(env, err, "ev_fd.start: uv_poll_start");
  return NULL;
}

static napi_value js_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CALL(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_type(env, "ev_fd.ref(handle, on): two arguments");
  fd_handle* w = unwrap(env, argv[0]);
  if (w == NULL) return NULL;
  bool on;
  CALL(napi_get_value_bool(env, argv[1], &on));
  if (on) uv_ref((uv_handle_t*)&w->poll);
  else uv_unref((uv_handle_t*)&w->poll);
  return NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CALL(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void* data = NULL;
  if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    return throw_type(env, "ev_fd.close(handle): not a handle made by open()");
  }
  fd_handle* w = (fd_handle*)data;
  if (w->closed) return NULL;
  napi_delete_reference(env, w->callback);
  napi_async_destroy(env, w->async);
  close_handle(w);
  return NULL;
}

static napi_value js_check(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CALL(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 1 || !get_fd(env, argv[0], &fd)) {
    return throw_type(env, "ev_fd.check(fd): fd must be an integer >= 0");
  }
  struct pollfd p = {fd, POLLIN | POLLOUT, 0};
  int n;
  do n = poll(&p, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) return throw_uv(env, -errno, "ev_fd.check: poll"); /* libuv's codes are -errno */
  int32_t bits = 0;
  if (p.revents & (POLLIN | POLLPRI)) bits |= 1;
  if (p.revents & POLLOUT) bits |= 2;
  if (p.revents & POLLERR) bits |= 4;
  if (p.revents & POLLHUP) bits |= 8;
  if (p.revents & POLLNVAL) bits |= 16;
  napi_value result;
  CALL(napi_create_int32(env, bits, &result));
  return result;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"start", NULL, js_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ref", NULL, js_ref, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"check", NULL, js_check, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value version;
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok ||
      napi_create_int32(env, HELPER_VERSION, &version) != napi_ok ||
      napi_set_named_property(env, exports, "version", version) != napi_ok) {
    return NULL;
  }
  return exports;
}
