# End-to-end encryption of task input and results, byte-compatible with the Python side
# (vantage6.common.encryption). Each organization has an RSA key pair; the server stores the
# public key as base64 of its PEM and never sees a private key.
#
# Written and read (format v6e1):
#   v6e1$<b64 RSA-OAEP(SHA-256, MGF1-SHA-256) wrapped AES key>$<b64 12-byte nonce>$<b64 AES-256-GCM ciphertext and tag>
# where everything up to and including the last '$' is the GCM associated data, so a change
# to any part fails. The legacy format of vantage6 4.x, which has no integrity check, is read
# only with allow_legacy, and written only for a 4.x node (which reads nothing else):
#   <b64 RSA-PKCS#1-v1.5 wrapped AES key>$<b64 16-byte IV>$<b64 AES-256-CTR ciphertext>
# RSA-OAEP and AES-GCM with a tag are in src/crypto.c: R's openssl package has neither.

CRYPTO_VERSION <- "v6e1"
CRYPTO_SEPARATOR <- "$"
AES_KEY_BYTES <- 32L
GCM_NONCE_BYTES <- 12L
LEGACY_IV_BYTES <- 16L
MIN_KEY_BITS <- 2048L

LEGACY_REFUSED <- paste(
  "the data is in the legacy encryption format of vantage6 4.x and older (RSA PKCS#1 v1.5 +",
  "AES-CTR), which has no integrity check, and this client refuses it unless set up with",
  "client$setupEncryption(<private key>, allow_legacy = TRUE)"
)

# Base64 through OpenSSL (src/crypto.c); decoding as strict as the Python side
# (b64decode(validate=True)): only the alphabet, padding only at the end, whole quads.
B64_STRICT <- "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"

crypto_b64encode <- function(bytes) .Call(C_base64_encode, bytes)

crypto_b64decode <- function(text, what) {
  if (!is.character(text) || length(text) != 1 || is.na(text) || !grepl(B64_STRICT, text)) {
    vtg_stop(sprintf("%s is not valid base64", what))
  }
  .Call(C_base64_decode, text)
}

# Python's str.split: "a$" gives two parts, the second empty (strsplit drops it).
crypto_split <- function(text) {
  parts <- strsplit(text, CRYPTO_SEPARATOR, fixed = TRUE)[[1]]
  if (!nzchar(text) || endsWith(text, CRYPTO_SEPARATOR)) c(parts, "") else parts
}

# The key pair of this client's organization: the openssl key (for the legacy format) and its
# PEM (for src/crypto.c). The file is read once and stays in this R session only.
crypto_read_private_key <- function(path) {
  if (!is.character(path) || length(path) != 1 || !file.exists(path)) {
    vtg_stop(sprintf("private key file %s does not exist", format(path)))
  }
  pem <- paste(readLines(path, warn = FALSE), collapse = "\n")
  if (grepl("ENCRYPTED", pem, fixed = TRUE)) {
    vtg_stop(sprintf("private key file %s is password-protected; use one without", path))
  }
  # A string password: never a prompt, which would hang a script.
  key <- if (crypto_is_pem(pem)) {
    tryCatch(openssl::read_key(pem, password = ""), error = function(e) NULL)
  }
  if (!inherits(key, "key")) vtg_stop(sprintf("%s is not a PEM private key", path))
  crypto_usable(key, sprintf("the private key in %s", path))
  list(key = key, pem = openssl::write_pem(key))
}

# A recipient's public key as the server stores it (base64 of a PEM); `whose` names the
# organization in messages.
crypto_public_key <- function(public_key_b64, whose) {
  if (is.null(public_key_b64) || !nzchar(public_key_b64)) {
    vtg_stop(sprintf(
      "%s has no public key on the server, so nothing can be encrypted for it (its node uploads one when it starts with encryption on)",
      whose
    ))
  }
  pem <- tryCatch(rawToChar(crypto_b64decode(public_key_b64, "the public key")),
    error = function(e) ""
  )
  key <- if (crypto_is_pem(pem)) tryCatch(openssl::read_pubkey(pem), error = function(e) NULL)
  if (!inherits(key, "pubkey")) {
    vtg_stop(sprintf("the public key of %s is not base64 of a PEM public key", whose))
  }
  crypto_usable(key, sprintf("the public key of %s", whose))
  # Rewritten as SubjectPublicKeyInfo whatever PEM flavour the server had.
  list(key = key, pem = openssl::write_pem(key))
}

# openssl's readers take a file name too: only text that is PEM goes to them.
crypto_is_pem <- function(text) {
  grepl("-----BEGIN ", text, fixed = TRUE)
}

crypto_usable <- function(key, what) {
  if (!inherits(key, "rsa")) vtg_stop(sprintf("%s is not an RSA key", what))
  bits <- as.list(key)$size
  if (bits < MIN_KEY_BITS) {
    vtg_stop(sprintf("%s has %d bits; at least %d are required", what, bits, MIN_KEY_BITS))
  }
}

# Whether `private` opens what is encrypted for `public`: a random probe, not a comparison of
# key numbers, so it tests the very operations that input and results go through.
crypto_pairs <- function(private, public) {
  probe <- openssl::rand_bytes(AES_KEY_BYTES)
  sealed <- .Call(C_rsa_oaep_encrypt, probe, public$pem)
  opened <- tryCatch(.Call(C_rsa_oaep_decrypt, sealed, private$pem), error = function(e) NULL)
  identical(opened, probe)
}

# Encrypts `data` (raw) for `recipient` (from crypto_public_key); text for the server.
crypto_encrypt <- function(data, recipient, legacy = FALSE) {
  if (legacy) return(crypto_seal_legacy(data, recipient))
  key <- openssl::rand_bytes(AES_KEY_BYTES)
  nonce <- openssl::rand_bytes(GCM_NONCE_BYTES)
  wrapped <- .Call(C_rsa_oaep_encrypt, key, recipient$pem)
  header <- paste0(
    paste(CRYPTO_VERSION, crypto_b64encode(wrapped), crypto_b64encode(nonce), sep = CRYPTO_SEPARATOR),
    CRYPTO_SEPARATOR
  )
  sealed <- .Call(C_aes_gcm_encrypt, data, key, nonce, charToRaw(header))
  paste0(header, crypto_b64encode(sealed))
}

crypto_seal_legacy <- function(data, recipient) {
  key <- openssl::rand_bytes(AES_KEY_BYTES)
  iv <- openssl::rand_bytes(LEGACY_IV_BYTES)
  wrapped <- openssl::rsa_encrypt(key, recipient$key) # PKCS#1 v1.5, what 4.x reads
  ciphertext <- as.raw(openssl::aes_ctr_encrypt(data, key, iv)) # without its "iv" attribute
  paste(crypto_b64encode(wrapped), crypto_b64encode(iv), crypto_b64encode(ciphertext),
    sep = CRYPTO_SEPARATOR
  )
}

# The bytes of an encrypted text, with `private` (from crypto_read_private_key); a vtg_error
# saying why when it cannot be read.
crypto_decrypt <- function(text, private, allow_legacy = FALSE) {
  parts <- crypto_split(text)
  if (parts[1] == CRYPTO_VERSION) return(crypto_open(text, parts, private))
  if (length(parts) == 3) {
    if (!allow_legacy) vtg_stop(LEGACY_REFUSED)
    return(crypto_open_legacy(parts, private))
  }
  if (length(parts) == 4) {
    vtg_stop(sprintf("unsupported encryption format version '%s'", substr(parts[1], 1, 16)))
  }
  if (length(parts) == 1) vtg_stop("the data is not encrypted ('$'-separated parts expected)")
  vtg_stop(sprintf(
    "malformed encrypted data: %d '$'-separated parts, expected 4 (%s$key$nonce$ciphertext) or 3 (legacy key$iv$ciphertext)",
    length(parts), CRYPTO_VERSION
  ))
}

crypto_open <- function(text, parts, private) {
  if (length(parts) != 4) {
    vtg_stop(sprintf("malformed %s data: %d '$'-separated parts, expected 4", CRYPTO_VERSION, length(parts)))
  }
  wrapped <- crypto_b64decode(parts[2], "the key")
  nonce <- crypto_b64decode(parts[3], "the nonce")
  sealed <- crypto_b64decode(parts[4], "the ciphertext")
  key <- crypto_unwrap(function() .Call(C_rsa_oaep_decrypt, wrapped, private$pem))
  if (length(key) != AES_KEY_BYTES) {
    vtg_stop(sprintf("message key is %d bytes, expected %d", length(key), AES_KEY_BYTES))
  }
  if (length(nonce) != GCM_NONCE_BYTES) {
    vtg_stop(sprintf("nonce is %d bytes, expected %d", length(nonce), GCM_NONCE_BYTES))
  }
  header <- sub("[^$]*$", "", text) # up to and including the last '$'
  tryCatch(
    .Call(C_aes_gcm_decrypt, sealed, key, nonce, charToRaw(header)),
    error = function(e) {
      vtg_stop("the data was tampered with or corrupted (authentication failed)")
    }
  )
}

crypto_open_legacy <- function(parts, private) {
  wrapped <- crypto_b64decode(parts[1], "the key")
  iv <- crypto_b64decode(parts[2], "the IV")
  ciphertext <- crypto_b64decode(parts[3], "the ciphertext")
  key <- crypto_unwrap(function() openssl::rsa_decrypt(wrapped, private$key))
  from_ui <- length(key) != AES_KEY_BYTES
  if (from_ui) key <- crypto_ui_key(key)
  if (length(iv) != LEGACY_IV_BYTES) {
    vtg_stop(sprintf("IV is %d bytes, expected %d", length(iv), LEGACY_IV_BYTES))
  }
  plaintext <- as.raw(openssl::aes_ctr_decrypt(ciphertext, key, iv))
  if (from_ui) crypto_undo_ui_base64(plaintext) else plaintext
}

crypto_unwrap <- function(unwrap) {
  tryCatch(unwrap(), error = function(e) {
    vtg_stop(paste(
      "cannot decrypt the message key: the data was encrypted for another organization's key,",
      "or was tampered with"
    ))
  })
}

# The 4.x web UI wraps base64 of the AES key rather than the key itself.
crypto_ui_key <- function(key) {
  decoded <- tryCatch(crypto_b64decode(rawToChar(key), "the key"), error = function(e) raw(0))
  if (length(decoded) != AES_KEY_BYTES) {
    vtg_stop(sprintf(
      "message key is %d bytes, expected %d (or base64 of them): the data was encrypted for another organization's key, or was tampered with",
      length(key), AES_KEY_BYTES
    ))
  }
  decoded
}

# The 4.x web UI encrypts base64 of the input: plaintext that is JSON is kept, other plaintext
# that is base64 is decoded (as the Python side does).
crypto_undo_ui_base64 <- function(plaintext) {
  text <- tryCatch(rawToChar(plaintext), error = function(e) NULL)
  if (is.null(text) || jsonlite::validate(text)) return(plaintext)
  tryCatch(crypto_b64decode(text, "the plaintext"), error = function(e) plaintext)
}
