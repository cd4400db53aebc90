/* The two primitives of vantage6's v6e1 encryption format that R's openssl package lacks:
 * RSA-OAEP with SHA-256 (and MGF1-SHA-256), and AES-256-GCM with associated data and tag;
 * and base64, as the base64 functions of R's openssl 2.0.5 and jsonlite 1.8.4 leak about
 * their output's size on every call, which task inputs and results would multiply.
 * Everything else (the message format, base64's strict check, key checks) is done in R
 * (crypto.R).
 *
 * R errors jump out of the function (longjmp), so no R allocation or Rf_error happens while
 * an OpenSSL object is alive: output buffers are allocated before, errors are raised after
 * everything is freed. */

#include <limits.h>
#include <string.h>

#include <R.h>
#include <Rinternals.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#define GCM_TAG_BYTES 16
#define GCM_NONCE_BYTES 12
#define AES_256_KEY_BYTES 32
/* OpenSSL refuses RSA moduli above 16384 bits, so a wrapped key never exceeds this. */
#define RSA_MAX_BYTES 2048

typedef struct {
  char text[256];
} failure;

static void fail(failure *why, const char *what) {
  unsigned long code = ERR_peek_last_error();
  const char *reason = code ? ERR_reason_error_string(code) : NULL;
  if (reason != NULL)
    snprintf(why->text, sizeof why->text, "%s: %s", what, reason);
  else
    snprintf(why->text, sizeof why->text, "%s", what);
  ERR_clear_error();
}

/* A PEM key never asks for a password here: R refuses encrypted key files before. */
static int no_password(char *buf, int size, int rwflag, void *u) {
  (void)buf;
  (void)size;
  (void)rwflag;
  (void)u;
  return 0;
}

static EVP_PKEY *read_pem_key(SEXP pem, int private_key) {
  const char *text = CHAR(STRING_ELT(pem, 0));
  BIO *bio = BIO_new_mem_buf(text, (int)strlen(text));
  EVP_PKEY *key = NULL;
  if (bio == NULL)
    return NULL;
  key = private_key ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL)
                    : PEM_read_bio_PUBKEY(bio, NULL, no_password, NULL);
  BIO_free(bio);
  return key;
}

static void check_raw(SEXP x, const char *name) {
  if (TYPEOF(x) != RAWSXP)
    Rf_error("%s must be a raw vector", name);
}

static void check_pem(SEXP x) {
  if (TYPEOF(x) != STRSXP || XLENGTH(x) != 1 || STRING_ELT(x, 0) == NA_STRING)
    Rf_error("the key must be one PEM string");
}

/* The first `length` bytes of `buffer` as a new raw vector (called once nothing is left to
 * free). */
static SEXP shortened(SEXP buffer, size_t length) {
  SEXP out = PROTECT(Rf_allocVector(RAWSXP, (R_xlen_t)length));
  memcpy(RAW(out), RAW(buffer), length);
  UNPROTECT(1);
  return out;
}

static SEXP rsa_oaep(SEXP data, SEXP pem, int encrypt) {
  failure why = {""};
  EVP_PKEY *key = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  size_t length = RSA_MAX_BYTES;
  SEXP buffer;

  check_raw(data, "data");
  check_pem(pem);
  buffer = PROTECT(Rf_allocVector(RAWSXP, RSA_MAX_BYTES));
  ERR_clear_error();

  key = read_pem_key(pem, !encrypt);
  if (key == NULL) {
    fail(&why, encrypt ? "cannot read the public key" : "cannot read the private key");
    goto done;
  }
  if (EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
    fail(&why, "the key is not an RSA key");
    goto done;
  }
  if (EVP_PKEY_size(key) > RSA_MAX_BYTES) {
    fail(&why, "the RSA key is too large");
    goto done;
  }
  ctx = EVP_PKEY_CTX_new(key, NULL);
  if (ctx == NULL || (encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) <= 0) {
    fail(&why, "cannot set up RSA-OAEP");
    goto done;
  }
  if ((encrypt ? EVP_PKEY_encrypt(ctx, RAW(buffer), &length, RAW(data), (size_t)XLENGTH(data))
               : EVP_PKEY_decrypt(ctx, RAW(buffer), &length, RAW(data), (size_t)XLENGTH(data))) <=
      0)
    fail(&why, encrypt ? "RSA-OAEP encryption failed" : "RSA-OAEP decryption failed");

done:
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(key);
  ERR_clear_error(); /* key decoders may leave errors behind even when they succeed */
  if (why.text[0] != '\0')
    Rf_error("%s", why.text);
  buffer = shortened(buffer, length);
  UNPROTECT(1);
  return buffer;
}

SEXP C_rsa_oaep_encrypt(SEXP data, SEXP public_pem) {
  return rsa_oaep(data, public_pem, 1);
}

SEXP C_rsa_oaep_decrypt(SEXP data, SEXP private_pem) {
  return rsa_oaep(data, private_pem, 0);
}

static void check_gcm_args(SEXP input, SEXP key, SEXP nonce, SEXP aad) {
  check_raw(input, "data");
  check_raw(key, "key");
  check_raw(nonce, "nonce");
  check_raw(aad, "aad");
  if (XLENGTH(key) != AES_256_KEY_BYTES)
    Rf_error("the AES-256 key must be %d bytes", AES_256_KEY_BYTES);
  if (XLENGTH(nonce) != GCM_NONCE_BYTES)
    Rf_error("the GCM nonce must be %d bytes", GCM_NONCE_BYTES);
  if (XLENGTH(input) > INT_MAX - 2 * GCM_TAG_BYTES || XLENGTH(aad) > INT_MAX)
    Rf_error("too much data for one AES-GCM message");
}

/* ciphertext || tag, as Python's AESGCM.encrypt returns it. */
SEXP C_aes_gcm_encrypt(SEXP plaintext, SEXP key, SEXP nonce, SEXP aad) {
  failure why = {""};
  EVP_CIPHER_CTX *ctx = NULL;
  int length = 0, final = 0, size;
  SEXP out;

  check_gcm_args(plaintext, key, nonce, aad);
  size = (int)XLENGTH(plaintext);
  out = PROTECT(Rf_allocVector(RAWSXP, (R_xlen_t)size + GCM_TAG_BYTES));
  ERR_clear_error();

  ctx = EVP_CIPHER_CTX_new();
  if (ctx == NULL || !EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) ||
      !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, GCM_NONCE_BYTES, NULL) ||
      !EVP_EncryptInit_ex(ctx, NULL, NULL, RAW(key), RAW(nonce)) ||
      !EVP_EncryptUpdate(ctx, NULL, &length, RAW(aad), (int)XLENGTH(aad)) ||
      !EVP_EncryptUpdate(ctx, RAW(out), &length, RAW(plaintext), size) ||
      !EVP_EncryptFinal_ex(ctx, RAW(out) + length, &final) ||
      !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, GCM_TAG_BYTES, RAW(out) + size))
    fail(&why, "AES-GCM encryption failed");

  EVP_CIPHER_CTX_free(ctx);
  if (why.text[0] != '\0')
    Rf_error("%s", why.text);
  UNPROTECT(1);
  return out;
}

/* The plaintext of ciphertext || tag; an error when the tag does not match the data, the
 * nonce or the associated data. */
SEXP C_aes_gcm_decrypt(SEXP sealed, SEXP key, SEXP nonce, SEXP aad) {
  failure why = {""};
  EVP_CIPHER_CTX *ctx = NULL;
  int length = 0, final = 0, size;
  unsigned char tag[GCM_TAG_BYTES];
  SEXP out;

  check_gcm_args(sealed, key, nonce, aad);
  if (XLENGTH(sealed) < GCM_TAG_BYTES)
    Rf_error("the ciphertext is shorter than the GCM tag");
  size = (int)XLENGTH(sealed) - GCM_TAG_BYTES;
  memcpy(tag, RAW(sealed) + size, GCM_TAG_BYTES);
  out = PROTECT(Rf_allocVector(RAWSXP, size));
  ERR_clear_error();

  ctx = EVP_CIPHER_CTX_new();
  if (ctx == NULL || !EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) ||
      !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, GCM_NONCE_BYTES, NULL) ||
      !EVP_DecryptInit_ex(ctx, NULL, NULL, RAW(key), RAW(nonce)) ||
      !EVP_DecryptUpdate(ctx, NULL, &length, RAW(aad), (int)XLENGTH(aad)) ||
      !EVP_DecryptUpdate(ctx, RAW(out), &length, RAW(sealed), size) ||
      !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, GCM_TAG_BYTES, tag))
    fail(&why, "AES-GCM decryption failed");
  else if (EVP_DecryptFinal_ex(ctx, RAW(out) + length, &final) <= 0)
    fail(&why, "authentication failed");

  EVP_CIPHER_CTX_free(ctx);
  if (why.text[0] != '\0') {
    memset(RAW(out), 0, (size_t)size); /* no unauthenticated plaintext left behind */
    Rf_error("%s", why.text);
  }
  UNPROTECT(1);
  return out;
}

/* Standard base64 with padding, on one line. */
SEXP C_base64_encode(SEXP data) {
  R_xlen_t size;
  char *text;

  check_raw(data, "data");
  size = XLENGTH(data);
  if (size > (R_xlen_t)(INT_MAX / 4) * 3)
    Rf_error("too much data to encode at once");
  text = R_alloc((size_t)(4 * ((size + 2) / 3) + 1), 1); /* freed when .Call returns */
  EVP_EncodeBlock((unsigned char *)text, RAW(data), (int)size);
  return Rf_mkString(text);
}

/* The bytes of base64 text that R checked already (the alphabet, padding at the end only,
 * a multiple of four characters). */
SEXP C_base64_decode(SEXP text) {
  const char *chars;
  size_t size, padding;
  int decoded;
  SEXP out;

  if (TYPEOF(text) != STRSXP || XLENGTH(text) != 1 || STRING_ELT(text, 0) == NA_STRING)
    Rf_error("base64 text must be one string");
  chars = CHAR(STRING_ELT(text, 0));
  size = strlen(chars);
  if (size % 4 != 0 || size > INT_MAX)
    Rf_error("not valid base64");
  padding = (size > 0 && chars[size - 1] == '=') + (size > 1 && chars[size - 2] == '=');
  out = PROTECT(Rf_allocVector(RAWSXP, (R_xlen_t)(size / 4 * 3)));
  decoded = EVP_DecodeBlock(RAW(out), (const unsigned char *)chars, (int)size);
  if (decoded < 0)
    Rf_error("not valid base64");
  out = shortened(out, (size_t)decoded - padding);
  UNPROTECT(1);
  return out;
}
