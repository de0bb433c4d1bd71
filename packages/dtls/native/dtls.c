// Minimal N-API surface over the operating system's OpenSSL (libssl3) for DTLS 1.2.
// The JavaScript side owns the UDP socket; this file only moves datagrams through an SSL object via a
// custom datagram BIO (one datagram in, a list of datagrams out, so record boundaries and the MTU
// are kept), and calls back into JavaScript synchronously for PSK lookup and certificate checks.
// Every handle is freed exactly once (explicit free or finaliser); no pointer outlives its owner.
#include <node_api.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OUT 64
#define MAX_DGRAM 16384

typedef struct ctx_s {
  SSL_CTX *ssl_ctx;
  napi_ref psk_cb;      // server: (identity: Buffer) => Buffer | undefined
  napi_ref verify_cb;   // (ders: Buffer[], chainError: number) => string | undefined (alert name)
  unsigned char cookie_secret[32];
  unsigned char *client_identity; // client PSK
  size_t client_identity_len;
  unsigned char *client_key;
  size_t client_key_len;
  int mtu;
} ctx_t;

typedef struct conn_s {
  SSL *ssl;
  ctx_t *ctx;
  napi_ref ctx_ref;     // keeps the context alive while the connection lives
  unsigned char *in;
  size_t in_len;
  unsigned char *out[MAX_OUT];
  size_t out_len[MAX_OUT];
  int out_n;
  unsigned char peer[64];
  size_t peer_len;
  char alert_sent[64];
  char alert_received[64];
} conn_t;

static __thread napi_env g_env = NULL;
static BIO_METHOD *g_bio_method = NULL;
static int g_conn_index = -1;

#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) {                                                                       \
      napi_throw_error(env, NULL, "dtls native: N-API call failed");                               \
      return NULL;                                                                                 \
    }                                                                                              \
  } while (0)

/* ---------- the datagram BIO ---------- */

static int dbio_write(BIO *b, const char *data, int len) {
  conn_t *c = (conn_t *)BIO_get_data(b);
  if (c == NULL || len < 0) return -1;
  if (c->out_n >= MAX_OUT) return -1;
  unsigned char *copy = malloc(len > 0 ? (size_t)len : 1);
  if (copy == NULL) return -1;
  memcpy(copy, data, (size_t)len);
  c->out[c->out_n] = copy;
  c->out_len[c->out_n] = (size_t)len;
  c->out_n++;
  return len;
}

static int dbio_read(BIO *b, char *buf, int len) {
  conn_t *c = (conn_t *)BIO_get_data(b);
  BIO_clear_retry_flags(b);
  if (c == NULL || c->in == NULL) {
    BIO_set_retry_read(b);
    return -1;
  }
  // A datagram is read whole or truncated (as recvfrom does); never split across reads.
  size_t n = c->in_len < (size_t)len ? c->in_len : (size_t)len;
  memcpy(buf, c->in, n);
  free(c->in);
  c->in = NULL;
  c->in_len = 0;
  return (int)n;
}

static long dbio_ctrl(BIO *b, int cmd, long num, void *ptr) {
  conn_t *c = (conn_t *)BIO_get_data(b);
  (void)num;
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return c != NULL ? c->ctx->mtu : 1200;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      return 28; // IPv4 + UDP headers
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
    case BIO_CTRL_DGRAM_SET_CONNECTED:
    case BIO_CTRL_DGRAM_SET_PEER:
      return 1;
    case BIO_CTRL_DGRAM_GET_PEER:
      return 0;
    case BIO_CTRL_PENDING:
      return c != NULL && c->in != NULL ? (long)c->in_len : 0;
    case BIO_CTRL_WPENDING:
      return 0;
    default:
      (void)ptr;
      return 0;
  }
}

static int dbio_create(BIO *b) {
  BIO_set_init(b, 1);
  return 1;
}

static int dbio_destroy(BIO *b) {
  BIO_set_data(b, NULL);
  return 1;
}

/* ---------- helpers ---------- */

static void conn_clear_out(conn_t *c) {
  for (int i = 0; i < c->out_n; i++) free(c->out[i]);
  c->out_n = 0;
}

static void conn_free(conn_t *c) {
  if (c == NULL) return;
  if (c->ssl != NULL) SSL_free(c->ssl); // frees the BIO too
  c->ssl = NULL;
  free(c->in);
  c->in = NULL;
  conn_clear_out(c);
}

static void last_error(char *buf, size_t len) {
  unsigned long e = ERR_peek_last_error();
  if (e == 0) {
    buf[0] = 0;
    return;
  }
  ERR_error_string_n(e, buf, len);
}

static napi_value take_out(napi_env env, conn_t *c) {
  napi_value arr;
  if (napi_create_array_with_length(env, (size_t)c->out_n, &arr) != napi_ok) return NULL;
  for (int i = 0; i < c->out_n; i++) {
    napi_value buf;
    void *data;
    if (napi_create_buffer_copy(env, c->out_len[i], c->out[i], &data, &buf) != napi_ok) return NULL;
    napi_set_element(env, arr, (uint32_t)i, buf);
  }
  conn_clear_out(c);
  return arr;
}

static int get_buffer(napi_env env, napi_value v, unsigned char **data, size_t *len) {
  bool is;
  if (napi_is_buffer(env, v, &is) != napi_ok || !is) return 0;
  return napi_get_buffer_info(env, v, (void **)data, len) == napi_ok;
}

static char *get_string(napi_env env, napi_value v) {
  size_t len;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) return NULL;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (s == NULL) return NULL;
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

static napi_value prop(napi_env env, napi_value obj, const char *name) {
  napi_value v;
  napi_valuetype t;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return NULL;
  if (napi_typeof(env, v, &t) != napi_ok || t == napi_undefined || t == napi_null) return NULL;
  return v;
}

/* ---------- OpenSSL callbacks ---------- */

static void info_cb(const SSL *ssl, int where, int ret) {
  if (!(where & SSL_CB_ALERT)) return;
  conn_t *c = (conn_t *)SSL_get_ex_data(ssl, g_conn_index);
  if (c == NULL) return;
  const char *d = SSL_alert_desc_string_long(ret);
  char *dst = (where & SSL_CB_WRITE) ? c->alert_sent : c->alert_received;
  if (dst[0] == 0) {
    strncpy(dst, d, 63);
    dst[63] = 0;
  }
}

static unsigned int psk_server_cb(SSL *ssl, const char *identity, unsigned char *psk, unsigned int max_len) {
  conn_t *c = (conn_t *)SSL_get_ex_data(ssl, g_conn_index);
  napi_env env = g_env;
  if (c == NULL || env == NULL || c->ctx->psk_cb == NULL || identity == NULL) return 0;
  napi_value fn, global, arg, result;
  void *data;
  if (napi_get_reference_value(env, c->ctx->psk_cb, &fn) != napi_ok) return 0;
  if (napi_get_global(env, &global) != napi_ok) return 0;
  if (napi_create_buffer_copy(env, strlen(identity), identity, &data, &arg) != napi_ok) return 0;
  if (napi_call_function(env, global, fn, 1, &arg, &result) != napi_ok) {
    napi_value ex;
    napi_get_and_clear_last_exception(env, &ex); // a throwing lookup = unknown identity
    return 0;
  }
  unsigned char *key;
  size_t key_len;
  if (!get_buffer(env, result, &key, &key_len)) return 0;
  if (key_len == 0 || key_len > max_len) return 0;
  memcpy(psk, key, key_len);
  return (unsigned int)key_len;
}

static unsigned int psk_client_cb(SSL *ssl, const char *hint, char *identity, unsigned int max_identity_len,
                                  unsigned char *psk, unsigned int max_psk_len) {
  (void)hint;
  conn_t *c = (conn_t *)SSL_get_ex_data(ssl, g_conn_index);
  if (c == NULL || c->ctx->client_key == NULL) return 0;
  ctx_t *x = c->ctx;
  if (x->client_identity_len + 1 > max_identity_len || x->client_key_len > max_psk_len) return 0;
  memcpy(identity, x->client_identity, x->client_identity_len);
  identity[x->client_identity_len] = 0;
  memcpy(psk, x->client_key, x->client_key_len);
  return (unsigned int)x->client_key_len;
}

static int alert_to_x509_error(const char *name) {
  // OpenSSL maps the verify error to the alert it sends (ssl_x509err2alert).
  if (strcmp(name, "unknown_ca") == 0) return X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
  if (strcmp(name, "certificate_expired") == 0) return X509_V_ERR_CERT_HAS_EXPIRED;
  if (strcmp(name, "certificate_revoked") == 0) return X509_V_ERR_CERT_REVOKED;
  if (strcmp(name, "unsupported_certificate") == 0) return X509_V_ERR_INVALID_PURPOSE;
  return X509_V_ERR_CERT_REJECTED; // bad_certificate
}

static int cert_verify_cb(X509_STORE_CTX *store, void *arg) {
  ctx_t *x = (ctx_t *)arg;
  napi_env env = g_env;
  int chain_error = 0;
  X509_STORE *trust = X509_STORE_CTX_get0_store(store);
  // Chain verification against the configured trust anchors first, when there are any.
  if (trust != NULL && X509_STORE_get0_objects(trust) != NULL &&
      sk_X509_OBJECT_num(X509_STORE_get0_objects(trust)) > 0) {
    if (X509_verify_cert(store) <= 0) {
      chain_error = X509_STORE_CTX_get_error(store);
      if (chain_error == 0) chain_error = X509_V_ERR_UNSPECIFIED;
    }
  } else {
    chain_error = -1; // no trust store: the callback alone decides
  }
  if (x->verify_cb == NULL || env == NULL) {
    if (chain_error != 0) {
      X509_STORE_CTX_set_error(store, chain_error > 0 ? chain_error : X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
      return 0;
    }
    return 1;
  }
  X509 *leaf = X509_STORE_CTX_get0_cert(store);
  STACK_OF(X509) *untrusted = X509_STORE_CTX_get0_untrusted(store);
  napi_value arr, fn, global, result, args[2];
  if (napi_create_array(env, &arr) != napi_ok) return 0;
  uint32_t idx = 0;
  int n = untrusted != NULL ? sk_X509_num(untrusted) : 0;
  for (int i = -1; i < n; i++) {
    X509 *cert = i < 0 ? leaf : sk_X509_value(untrusted, i);
    if (cert == NULL || (i >= 0 && cert == leaf)) continue;
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    if (len <= 0) continue;
    napi_value buf;
    void *data;
    napi_status s = napi_create_buffer_copy(env, (size_t)len, der, &data, &buf);
    OPENSSL_free(der);
    if (s != napi_ok) return 0;
    napi_set_element(env, arr, idx++, buf);
  }
  args[0] = arr;
  napi_create_int32(env, chain_error, &args[1]);
  if (napi_get_reference_value(env, x->verify_cb, &fn) != napi_ok) return 0;
  napi_get_global(env, &global);
  if (napi_call_function(env, global, fn, 2, args, &result) != napi_ok) {
    napi_value ex;
    napi_get_and_clear_last_exception(env, &ex);
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
  }
  char *verdict = get_string(env, result);
  if (verdict == NULL) return 1; // undefined / null: accepted
  int err = alert_to_x509_error(verdict);
  free(verdict);
  X509_STORE_CTX_set_error(store, err);
  return 0;
}

static int cookie_hmac(SSL *ssl, unsigned char *out, unsigned int *out_len) {
  conn_t *c = (conn_t *)SSL_get_ex_data(ssl, g_conn_index);
  if (c == NULL) return 0;
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), c->ctx->cookie_secret, sizeof c->ctx->cookie_secret, c->peer, c->peer_len, out, &len) ==
      NULL)
    return 0;
  *out_len = len;
  return 1;
}

static int cookie_generate_cb(SSL *ssl, unsigned char *cookie, unsigned int *len) {
  return cookie_hmac(ssl, cookie, len);
}

static int cookie_verify_cb(SSL *ssl, const unsigned char *cookie, unsigned int len) {
  unsigned char expected[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!cookie_hmac(ssl, expected, &n)) return 0;
  return len == n && CRYPTO_memcmp(expected, cookie, n) == 0;
}

/* ---------- context ---------- */

static void ctx_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  ctx_t *x = (ctx_t *)data;
  if (x->psk_cb) napi_delete_reference(env, x->psk_cb);
  if (x->verify_cb) napi_delete_reference(env, x->verify_cb);
  if (x->client_key) OPENSSL_clear_free(x->client_key, x->client_key_len);
  free(x->client_identity);
  SSL_CTX_free(x->ssl_ctx);
  OPENSSL_cleanse(x->cookie_secret, sizeof x->cookie_secret);
  free(x);
}

static int load_pem_certs(SSL_CTX *ctx, const char *pem, int chain) {
  BIO *b = BIO_new_mem_buf(pem, -1);
  if (b == NULL) return 0;
  X509 *leaf = PEM_read_bio_X509(b, NULL, NULL, NULL);
  if (leaf == NULL || SSL_CTX_use_certificate(ctx, leaf) != 1) {
    X509_free(leaf);
    BIO_free(b);
    return 0;
  }
  X509_free(leaf);
  X509 *extra;
  while (chain && (extra = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
    if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
      X509_free(extra);
      break;
    }
  }
  ERR_clear_error(); // end of PEM input
  BIO_free(b);
  return 1;
}

static int load_ca(SSL_CTX *ctx, const char *pem) {
  BIO *b = BIO_new_mem_buf(pem, -1);
  if (b == NULL) return 0;
  X509_STORE *store = SSL_CTX_get_cert_store(ctx);
  X509 *cert;
  int n = 0;
  while ((cert = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
    X509_STORE_add_cert(store, cert);
    X509_free(cert);
    n++;
  }
  ERR_clear_error();
  BIO_free(b);
  return n > 0;
}

// createContext({ server, ciphers, mtu, psk?, pskIdentity?, pskKey?, certPem?, keyPem?, caPem?,
//                 requestCert?, requireCert?, verify? }) -> external
static napi_value create_context(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], v, ext;
  char err[256];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "createContext needs an options object");
    return NULL;
  }
  napi_value o = argv[0];
  bool server = false;
  if ((v = prop(env, o, "server")) != NULL) napi_get_value_bool(env, v, &server);
  SSL_CTX *ctx = SSL_CTX_new(server ? DTLS_server_method() : DTLS_client_method());
  if (ctx == NULL) {
    napi_throw_error(env, NULL, "SSL_CTX_new failed");
    return NULL;
  }
  ctx_t *x = calloc(1, sizeof *x);
  if (x == NULL) {
    SSL_CTX_free(ctx);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  x->ssl_ctx = ctx;
  x->mtu = 1200;
  if ((v = prop(env, o, "mtu")) != NULL) napi_get_value_int32(env, v, &x->mtu);
  if (x->mtu < 256 || x->mtu > 9000) x->mtu = 1200;
  RAND_bytes(x->cookie_secret, sizeof x->cookie_secret);
  // DTLS 1.2 only (TS-0003 10.2); no renegotiation, no compression, no tickets kept across restarts.
  SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_QUERY_MTU |
                               SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_info_callback(ctx, info_cb);
  SSL_CTX_set_read_ahead(ctx, 1);

  napi_value wrapped;
  if (napi_create_external(env, x, ctx_finalize, NULL, &ext) != napi_ok) {
    SSL_CTX_free(ctx);
    free(x);
    napi_throw_error(env, NULL, "napi_create_external failed");
    return NULL;
  }
  wrapped = ext;

  char *ciphers = (v = prop(env, o, "ciphers")) != NULL ? get_string(env, v) : NULL;
  if (ciphers == NULL || SSL_CTX_set_cipher_list(ctx, ciphers) != 1) {
    free(ciphers);
    napi_throw_error(env, "ERR_DTLS_CIPHERS", "no usable cipher suite in the configured list");
    return NULL;
  }
  free(ciphers);

  if (server) {
    SSL_CTX_set_cookie_generate_cb(ctx, cookie_generate_cb);
    SSL_CTX_set_cookie_verify_cb(ctx, cookie_verify_cb);
    if ((v = prop(env, o, "psk")) != NULL) {
      napi_create_reference(env, v, 1, &x->psk_cb);
      SSL_CTX_set_psk_server_callback(ctx, psk_server_cb);
    }
  } else {
    napi_value id = prop(env, o, "pskIdentity"), key = prop(env, o, "pskKey");
    if (id != NULL && key != NULL) {
      unsigned char *d;
      size_t l;
      if (!get_buffer(env, id, &d, &l) || l == 0 || l > 128) {
        napi_throw_type_error(env, NULL, "pskIdentity must be a Buffer of 1..128 bytes");
        return NULL;
      }
      x->client_identity = malloc(l);
      if (x->client_identity == NULL) {
        napi_throw_error(env, NULL, "out of memory");
        return NULL;
      }
      memcpy(x->client_identity, d, l);
      x->client_identity_len = l;
      if (!get_buffer(env, key, &d, &l) || l == 0 || l > PSK_MAX_PSK_LEN) {
        napi_throw_type_error(env, NULL, "pskKey must be a Buffer of 1..256 bytes");
        return NULL;
      }
      x->client_key = OPENSSL_malloc(l);
      if (x->client_key == NULL) {
        napi_throw_error(env, NULL, "out of memory");
        return NULL;
      }
      memcpy(x->client_key, d, l);
      x->client_key_len = l;
      SSL_CTX_set_psk_client_callback(ctx, psk_client_cb);
    }
  }

  napi_value certPem = prop(env, o, "certPem"), keyPem = prop(env, o, "keyPem");
  if (certPem != NULL && keyPem != NULL) {
    char *c = get_string(env, certPem), *k = get_string(env, keyPem);
    int ok = c != NULL && k != NULL && load_pem_certs(ctx, c, 1);
    if (ok) {
      BIO *b = BIO_new_mem_buf(k, -1);
      EVP_PKEY *pk = b != NULL ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
      ok = pk != NULL && SSL_CTX_use_PrivateKey(ctx, pk) == 1 && SSL_CTX_check_private_key(ctx) == 1;
      EVP_PKEY_free(pk);
      BIO_free(b);
    }
    if (k != NULL) OPENSSL_cleanse(k, strlen(k));
    free(c);
    free(k);
    if (!ok) {
      last_error(err, sizeof err);
      napi_throw_error(env, "ERR_DTLS_CERT", "certificate or private key not usable (PEM, matching pair)");
      return NULL;
    }
  }
  if ((v = prop(env, o, "caPem")) != NULL) {
    char *c = get_string(env, v);
    int ok = c != NULL && load_ca(ctx, c);
    free(c);
    if (!ok) {
      napi_throw_error(env, "ERR_DTLS_CA", "caPem holds no PEM certificate");
      return NULL;
    }
  }
  bool requestCert = false, requireCert = false;
  if ((v = prop(env, o, "requestCert")) != NULL) napi_get_value_bool(env, v, &requestCert);
  if ((v = prop(env, o, "requireCert")) != NULL) napi_get_value_bool(env, v, &requireCert);
  if ((v = prop(env, o, "verify")) != NULL) napi_create_reference(env, v, 1, &x->verify_cb);
  if (requestCert || !server) {
    int mode = SSL_VERIFY_PEER | (requireCert ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
    SSL_CTX_set_verify(ctx, mode, NULL);
    SSL_CTX_set_cert_verify_callback(ctx, cert_verify_cb, x);
  }
  return wrapped;
}

/* ---------- connection ---------- */

static void conn_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  conn_t *c = (conn_t *)data;
  conn_free(c);
  if (c->ctx_ref) napi_delete_reference(env, c->ctx_ref);
  free(c);
}

static conn_t *get_conn(napi_env env, napi_value v) {
  conn_t *c = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) return NULL;
  if (napi_get_value_external(env, v, (void **)&c) != napi_ok) return NULL;
  return c;
}

// newConnection(ctx, peerKey: Buffer) -> external
static napi_value new_connection(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], ext;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  ctx_t *x = NULL;
  napi_valuetype t;
  if (argc < 2 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_external ||
      napi_get_value_external(env, argv[0], (void **)&x) != napi_ok || x == NULL) {
    napi_throw_type_error(env, NULL, "newConnection(ctx, peer)");
    return NULL;
  }
  unsigned char *peer;
  size_t peer_len;
  if (!get_buffer(env, argv[1], &peer, &peer_len) || peer_len > 64) {
    napi_throw_type_error(env, NULL, "peer must be a Buffer of at most 64 bytes");
    return NULL;
  }
  conn_t *c = calloc(1, sizeof *c);
  if (c == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  c->ctx = x;
  memcpy(c->peer, peer, peer_len);
  c->peer_len = peer_len;
  c->ssl = SSL_new(x->ssl_ctx);
  BIO *b = c->ssl != NULL ? BIO_new(g_bio_method) : NULL;
  if (b == NULL) {
    conn_free(c);
    free(c);
    napi_throw_error(env, NULL, "SSL_new failed");
    return NULL;
  }
  BIO_set_data(b, c);
  SSL_set_bio(c->ssl, b, b);
  SSL_set_ex_data(c->ssl, g_conn_index, c);
  SSL_set_mtu(c->ssl, x->mtu - 28);
  DTLS_set_link_mtu(c->ssl, x->mtu);
  if (napi_create_external(env, c, conn_finalize, NULL, &ext) != napi_ok) {
    conn_free(c);
    free(c);
    napi_throw_error(env, NULL, "napi_create_external failed");
    return NULL;
  }
  napi_create_reference(env, argv[0], 1, &c->ctx_ref);
  return ext;
}

static napi_value result_object(napi_env env, conn_t *c, int state, const char *error) {
  napi_value o, v;
  napi_create_object(env, &o);
  napi_value out = take_out(env, c);
  if (out != NULL) napi_set_named_property(env, o, "out", out);
  napi_create_int32(env, state, &v);
  napi_set_named_property(env, o, "state", v);
  if (error != NULL && error[0] != 0) {
    napi_create_string_utf8(env, error, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, o, "error", v);
  }
  if (c->alert_sent[0]) {
    napi_create_string_utf8(env, c->alert_sent, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, o, "alertSent", v);
  }
  if (c->alert_received[0]) {
    napi_create_string_utf8(env, c->alert_received, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, o, "alertReceived", v);
  }
  if (c->ssl != NULL) {
    struct timeval tv;
    double ms = -1;
    if (DTLSv1_get_timeout(c->ssl, &tv) == 1) ms = (double)tv.tv_sec * 1000.0 + (double)tv.tv_usec / 1000.0;
    napi_create_double(env, ms, &v);
    napi_set_named_property(env, o, "timeoutMs", v);
  }
  return o;
}

static int put_in(napi_env env, conn_t *c, napi_value v) {
  unsigned char *d;
  size_t l;
  if (!get_buffer(env, v, &d, &l) || l == 0 || l > MAX_DGRAM) return 0;
  free(c->in);
  c->in = malloc(l);
  if (c->in == NULL) return 0;
  memcpy(c->in, d, l);
  c->in_len = l;
  return 1;
}

// States: 0 handshaking, 1 established, 2 failed/closed, 3 cookie sent (listen), 4 cookie verified.
// listen(conn, datagram) -> result: the stateless cookie exchange (RFC 6347 4.2.1).
static napi_value dtls_listen(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  conn_t *c = argc >= 2 ? get_conn(env, argv[0]) : NULL;
  if (c == NULL || c->ssl == NULL || !put_in(env, c, argv[1])) {
    napi_throw_type_error(env, NULL, "listen(conn, datagram)");
    return NULL;
  }
  g_env = env;
  ERR_clear_error();
  BIO_ADDR *addr = BIO_ADDR_new();
  int r = DTLSv1_listen(c->ssl, addr);
  BIO_ADDR_free(addr);
  char err[256];
  last_error(err, sizeof err);
  ERR_clear_error();
  free(c->in);
  c->in = NULL;
  return result_object(env, c, r == 1 ? 4 : (c->out_n > 0 ? 3 : 2), r < 0 ? err : NULL);
}

static napi_value drive(napi_env env, conn_t *c) {
  char err[256] = {0};
  unsigned char buf[MAX_DGRAM];
  napi_value apps;
  napi_create_array(env, &apps);
  uint32_t n_app = 0;
  int state = 0;
  ERR_clear_error();
  if (!SSL_is_init_finished(c->ssl)) {
    int r = SSL_do_handshake(c->ssl);
    if (r <= 0) {
      int e = SSL_get_error(c->ssl, r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        last_error(err, sizeof err);
        if (err[0] == 0) strcpy(err, "handshake failed");
        state = 2;
      }
    }
  }
  if (state != 2 && SSL_is_init_finished(c->ssl)) {
    state = 1;
    for (;;) {
      int r = SSL_read(c->ssl, buf, sizeof buf);
      if (r > 0) {
        napi_value b;
        void *data;
        napi_create_buffer_copy(env, (size_t)r, buf, &data, &b);
        napi_set_element(env, apps, n_app++, b);
        continue;
      }
      int e = SSL_get_error(c->ssl, r);
      if (e == SSL_ERROR_ZERO_RETURN) {
        state = 2;
        strcpy(err, "closed by peer");
      } else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        last_error(err, sizeof err);
        // A record that fails to authenticate is dropped silently in DTLS; only fatal errors close.
        if (SSL_get_shutdown(c->ssl) != 0 || e == SSL_ERROR_SSL) state = 2;
      }
      break;
    }
  }
  ERR_clear_error();
  napi_value o = result_object(env, c, state, err);
  napi_set_named_property(env, o, "app", apps);
  return o;
}

// feed(conn, datagram | null) -> result
static napi_value dtls_feed(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  conn_t *c = argc >= 1 ? get_conn(env, argv[0]) : NULL;
  if (c == NULL || c->ssl == NULL) {
    napi_throw_type_error(env, NULL, "feed(conn, datagram): connection closed");
    return NULL;
  }
  napi_valuetype t = napi_null;
  if (argc >= 2) napi_typeof(env, argv[1], &t);
  if (t != napi_null && t != napi_undefined && !put_in(env, c, argv[1])) {
    napi_throw_type_error(env, NULL, "datagram must be a Buffer of 1..16384 bytes");
    return NULL;
  }
  g_env = env;
  return drive(env, c);
}

// timeout(conn) -> result: retransmits the last flight when the DTLS timer expired (RFC 6347 4.2.4).
static napi_value dtls_timeout(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  conn_t *c = argc >= 1 ? get_conn(env, argv[0]) : NULL;
  if (c == NULL || c->ssl == NULL) {
    napi_throw_type_error(env, NULL, "timeout(conn): connection closed");
    return NULL;
  }
  g_env = env;
  ERR_clear_error();
  int r = DTLSv1_handle_timeout(c->ssl);
  char err[256] = {0};
  if (r < 0) {
    last_error(err, sizeof err);
    if (err[0] == 0) strcpy(err, "handshake timed out");
  }
  ERR_clear_error();
  return result_object(env, c, r < 0 ? 2 : (SSL_is_init_finished(c->ssl) ? 1 : 0), err);
}

// write(conn, data) -> Buffer[] (records to send)
static napi_value dtls_write(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  conn_t *c = argc >= 2 ? get_conn(env, argv[0]) : NULL;
  unsigned char *d;
  size_t l;
  if (c == NULL || c->ssl == NULL || !SSL_is_init_finished(c->ssl) || !get_buffer(env, argv[1], &d, &l) ||
      l == 0 || l > MAX_DGRAM) {
    napi_throw_error(env, "ERR_DTLS_WRITE", "write needs an established connection and 1..16384 bytes");
    return NULL;
  }
  g_env = env;
  ERR_clear_error();
  int r = SSL_write(c->ssl, d, (int)l);
  ERR_clear_error();
  if (r <= 0) {
    conn_clear_out(c);
    napi_throw_error(env, "ERR_DTLS_WRITE", "record too large for the path MTU or connection failed");
    return NULL;
  }
  return take_out(env, c);
}

// shutdown(conn) -> Buffer[] (close_notify), then the SSL object is freed.
static napi_value dtls_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  conn_t *c = argc >= 1 ? get_conn(env, argv[0]) : NULL;
  if (c == NULL) {
    napi_throw_type_error(env, NULL, "close(conn)");
    return NULL;
  }
  if (c->ssl != NULL && SSL_is_init_finished(c->ssl)) SSL_shutdown(c->ssl);
  ERR_clear_error();
  napi_value out = take_out(env, c);
  conn_free(c);
  return out;
}

// peer(conn) -> { pskIdentity?: Buffer, certificate?: Buffer (DER), cipher, version }
static napi_value dtls_peer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], o, v;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  conn_t *c = argc >= 1 ? get_conn(env, argv[0]) : NULL;
  if (c == NULL || c->ssl == NULL || !SSL_is_init_finished(c->ssl)) {
    napi_throw_error(env, NULL, "peer(conn): handshake not finished");
    return NULL;
  }
  napi_create_object(env, &o);
  const unsigned char *id = NULL;
  size_t id_len = 0;
  const char *ident = SSL_get_psk_identity(c->ssl);
  if (ident != NULL) {
    id = (const unsigned char *)ident;
    id_len = strlen(ident);
    void *data;
    napi_create_buffer_copy(env, id_len, id, &data, &v);
    napi_set_named_property(env, o, "pskIdentity", v);
  }
  X509 *cert = SSL_get0_peer_certificate(c->ssl);
  if (cert != NULL) {
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    if (len > 0) {
      void *data;
      napi_create_buffer_copy(env, (size_t)len, der, &data, &v);
      napi_set_named_property(env, o, "certificate", v);
    }
    OPENSSL_free(der);
  }
  napi_create_string_utf8(env, SSL_get_cipher_name(c->ssl), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "cipher", v);
  napi_create_string_utf8(env, SSL_get_version(c->ssl), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "version", v);
  return o;
}

// connect(conn) -> result: the client's first flight.
static napi_value dtls_connect(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  conn_t *c = argc >= 1 ? get_conn(env, argv[0]) : NULL;
  if (c == NULL || c->ssl == NULL) {
    napi_throw_type_error(env, NULL, "connect(conn)");
    return NULL;
  }
  SSL_set_connect_state(c->ssl);
  g_env = env;
  return drive(env, c);
}

// exportKeyingMaterial(conn, length, label, context?) -> Buffer (RFC 5705)
static napi_value dtls_export(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], v;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  conn_t *c = argc >= 3 ? get_conn(env, argv[0]) : NULL;
  int32_t len = 0;
  if (c == NULL || c->ssl == NULL || !SSL_is_init_finished(c->ssl) ||
      napi_get_value_int32(env, argv[1], &len) != napi_ok || len <= 0 || len > 1024) {
    napi_throw_error(env, NULL, "exportKeyingMaterial(conn, 1..1024, label, context?)");
    return NULL;
  }
  char *label = get_string(env, argv[2]);
  unsigned char *ctxd = NULL;
  size_t ctxl = 0;
  int use_ctx = argc >= 4 && get_buffer(env, argv[3], &ctxd, &ctxl);
  unsigned char *out = malloc((size_t)len);
  int ok = label != NULL && out != NULL &&
           SSL_export_keying_material(c->ssl, out, (size_t)len, label, strlen(label), ctxd, ctxl, use_ctx) == 1;
  free(label);
  if (!ok) {
    free(out);
    napi_throw_error(env, NULL, "keying material export failed");
    return NULL;
  }
  void *data;
  napi_create_buffer_copy(env, (size_t)len, out, &data, &v);
  OPENSSL_cleanse(out, (size_t)len);
  free(out);
  return v;
}

static napi_value dtls_version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value init(napi_env env, napi_value exports) {
  if (g_bio_method == NULL) {
    g_bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "m2msec-datagram");
    BIO_meth_set_write(g_bio_method, dbio_write);
    BIO_meth_set_read(g_bio_method, dbio_read);
    BIO_meth_set_ctrl(g_bio_method, dbio_ctrl);
    BIO_meth_set_create(g_bio_method, dbio_create);
    BIO_meth_set_destroy(g_bio_method, dbio_destroy);
    g_conn_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
  }
  napi_property_descriptor props[] = {
      {"createContext", NULL, create_context, NULL, NULL, NULL, napi_default, NULL},
      {"newConnection", NULL, new_connection, NULL, NULL, NULL, napi_default, NULL},
      {"listen", NULL, dtls_listen, NULL, NULL, NULL, napi_default, NULL},
      {"feed", NULL, dtls_feed, NULL, NULL, NULL, napi_default, NULL},
      {"timeout", NULL, dtls_timeout, NULL, NULL, NULL, napi_default, NULL},
      {"write", NULL, dtls_write, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, dtls_close, NULL, NULL, NULL, napi_default, NULL},
      {"peer", NULL, dtls_peer, NULL, NULL, NULL, napi_default, NULL},
      {"connect", NULL, dtls_connect, NULL, NULL, NULL, napi_default, NULL},
      {"exportKeyingMaterial", NULL, dtls_export, NULL, NULL, NULL, napi_default, NULL},
      {"openSslVersion", NULL, dtls_version, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
