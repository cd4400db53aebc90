/* Registers the C routines, so R code calls them by symbol (useDynLib(.registration = TRUE))
 * and nothing else in the library can be reached by name. */

#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>

SEXP C_rsa_oaep_encrypt(SEXP data, SEXP public_pem);
SEXP C_rsa_oaep_decrypt(SEXP data, SEXP private_pem);
SEXP C_aes_gcm_encrypt(SEXP plaintext, SEXP key, SEXP nonce, SEXP aad);
SEXP C_aes_gcm_decrypt(SEXP sealed, SEXP key, SEXP nonce, SEXP aad);
SEXP C_base64_encode(SEXP data);
SEXP C_base64_decode(SEXP text);

static const R_CallMethodDef call_methods[] = {
    {"C_rsa_oaep_encrypt", (DL_FUNC)&C_rsa_oaep_encrypt, 2},
    {"C_rsa_oaep_decrypt", (DL_FUNC)&C_rsa_oaep_decrypt, 2},
    {"C_aes_gcm_encrypt", (DL_FUNC)&C_aes_gcm_encrypt, 4},
    {"C_aes_gcm_decrypt", (DL_FUNC)&C_aes_gcm_decrypt, 4},
    {"C_base64_encode", (DL_FUNC)&C_base64_encode, 1},
    {"C_base64_decode", (DL_FUNC)&C_base64_decode, 1},
    {NULL, NULL, 0}};

void R_init_vtg(DllInfo *dll) {
  R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
  R_useDynamicSymbols(dll, FALSE);
  R_forceSymbols(dll, TRUE);
}
