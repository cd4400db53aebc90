# End-to-end encryption: what we write we read, any change is caught, the wrong key fails,
# and the Python side's messages are read: the folder VTG_PYTHON_VECTORS names holds a key
# pair made for the run and messages vantage6.common.encryption's RSACryptor wrote for it
# (tests/integration/r/test_r_packages.py makes them; without it those tests are skipped).

python_vector <- function(name) {
  folder <- Sys.getenv("VTG_PYTHON_VECTORS")
  if (!nzchar(folder)) skip("VTG_PYTHON_VECTORS is not set: no messages written by Python")
  file.path(folder, name)
}

# Keys as the client holds them: its own private key, a recipient's public key as the
# server stores it (base64 of the PEM).
private_from_key <- function(key) {
  path <- tempfile(fileext = ".pem")
  openssl::write_pem(key, path)
  vtg:::crypto_read_private_key(path)
}
public_from_key <- function(key) {
  b64 <- openssl::base64_encode(charToRaw(openssl::write_pem(key$pubkey)))
  vtg:::crypto_public_key(b64, "organization 1")
}

key_a <- openssl::rsa_keygen(2048)
key_b <- openssl::rsa_keygen(2048)
private_a <- private_from_key(key_a)
public_a <- public_from_key(key_a)
private_b <- private_from_key(key_b)

plaintext <- charToRaw('{"average": 53.25, "n": [1, 2, 3]}')

parts_of <- function(text) strsplit(text, "$", fixed = TRUE)[[1]]

# One base64 character of `part` replaced by another, so the part stays valid base64.
altered <- function(part, at = 1) {
  old <- substr(part, at, at)
  substr(part, at, at) <- if (old == "A") "B" else "A"
  part
}

test_that("what is encrypted for a key decrypts with it, in the v6e1 format", {
  text <- vtg:::crypto_encrypt(plaintext, public_a)
  parts <- parts_of(text)
  expect_length(parts, 4)
  expect_equal(parts[1], "v6e1")
  expect_length(openssl::base64_decode(parts[2]), 256) # RSA-2048 wrapped key
  expect_length(openssl::base64_decode(parts[3]), 12) # GCM nonce
  expect_length(openssl::base64_decode(parts[4]), length(plaintext) + 16) # with the tag
  expect_identical(vtg:::crypto_decrypt(text, private_a), plaintext)
  expect_identical(vtg:::crypto_decrypt(vtg:::crypto_encrypt(raw(0), public_a), private_a), raw(0))
})

test_that("each encryption is fresh (key and nonce)", {
  expect_false(identical(
    vtg:::crypto_encrypt(plaintext, public_a), vtg:::crypto_encrypt(plaintext, public_a)
  ))
})

test_that("changing any part of a message fails with a vtg_error", {
  parts <- parts_of(vtg:::crypto_encrypt(plaintext, public_a))
  join <- function(p) paste(p, collapse = "$")
  tag_at <- nchar(parts[4]) - 4 # inside the last 16 bytes, before the padding

  changes <- list(
    version = c("v6e2", parts[2:4]),
    wrapped_key = c(parts[1], altered(parts[2]), parts[3:4]),
    nonce = c(parts[1:2], altered(parts[3]), parts[4]),
    ciphertext = c(parts[1:3], altered(parts[4])),
    tag = c(parts[1:3], altered(parts[4], tag_at))
  )
  for (change in names(changes)) {
    expect_error(vtg:::crypto_decrypt(join(changes[[change]]), private_a),
                 class = "vtg_error", info = change)
  }
  expect_error(vtg:::crypto_decrypt(join(changes$ciphertext), private_a), "authentication failed")
  expect_error(vtg:::crypto_decrypt(join(changes$tag), private_a), "authentication failed")
  expect_error(vtg:::crypto_decrypt(join(changes$version), private_a), "unsupported")
})

test_that("the header text is authenticated, not only the bytes it stands for", {
  parts <- parts_of(vtg:::crypto_encrypt(plaintext, public_a))
  # 12 bytes are 16 base64 characters without padding: respell the 256-byte key instead,
  # whose last character before "==" carries 4 unused bits.
  key_part <- parts[2]
  last <- nchar(key_part) - 2
  alphabet <- c(LETTERS, letters, 0:9, "+", "/")
  index <- match(substr(key_part, last, last), alphabet) - 1
  substr(key_part, last, last) <- alphabet[bitwXor(index, 1L) + 1]
  expect_identical(openssl::base64_decode(key_part), openssl::base64_decode(parts[2]))
  respelled <- paste(c(parts[1], key_part, parts[3:4]), collapse = "$")
  expect_error(vtg:::crypto_decrypt(respelled, private_a), "authentication failed")
})

test_that("a message cut short fails", {
  text <- vtg:::crypto_encrypt(plaintext, public_a)
  parts <- parts_of(text)
  expect_error(vtg:::crypto_decrypt(substr(text, 1, nchar(text) - 4), private_a), class = "vtg_error")
  expect_error(vtg:::crypto_decrypt(paste(parts[1:3], collapse = "$"), private_a), class = "vtg_error")
  expect_error(vtg:::crypto_decrypt(paste0(paste(parts[1:3], collapse = "$"), "$"), private_a),
               "authentication failed")
})

test_that("a message for another key fails with a vtg_error", {
  text <- vtg:::crypto_encrypt(plaintext, public_a)
  expect_error(vtg:::crypto_decrypt(text, private_b), "another organization's key",
               class = "vtg_error")
})

test_that("malformed messages say what is wrong", {
  expect_error(vtg:::crypto_decrypt("eyJhIjogMX0=", private_a), "not encrypted")
  expect_error(vtg:::crypto_decrypt("a$b", private_a), "malformed")
  expect_error(vtg:::crypto_decrypt("v6e1$a$b", private_a), "malformed v6e1")
  expect_error(vtg:::crypto_decrypt("v6e1$!!!!$AAAA$AAAA", private_a), "not valid base64")
})

test_that("Python's v6e1 and legacy messages are read", {
  private <- vtg:::crypto_read_private_key(python_vector("key.pem"))
  v6e1 <- readLines(python_vector("v6e1.txt"))
  legacy <- readLines(python_vector("legacy.txt"))
  expect_identical(rawToChar(vtg:::crypto_decrypt(v6e1, private)),
                   '{"average": 53.25, "count": [1, 2, 3]}')
  expect_identical(rawToChar(vtg:::crypto_decrypt(legacy, private, allow_legacy = TRUE)),
                   '{"average": 53.25}')
})

test_that("Python's public key pairs with its private key, and not with another", {
  private <- vtg:::crypto_read_private_key(python_vector("key.pem"))
  public <- vtg:::crypto_public_key(readLines(python_vector("public.b64")), "org 1")
  expect_true(vtg:::crypto_pairs(private, public))
  expect_false(vtg:::crypto_pairs(private_a, public))
})

# A 4.x message, built as 4.x clients build it.
legacy_message <- function(plaintext, pubkey, from_ui = FALSE) {
  key <- openssl::rand_bytes(32)
  wrapped_key <- if (from_ui) charToRaw(openssl::base64_encode(key)) else key
  data <- if (from_ui) charToRaw(openssl::base64_encode(plaintext)) else plaintext
  ciphertext <- openssl::aes_ctr_encrypt(data, key)
  paste(openssl::base64_encode(openssl::rsa_encrypt(wrapped_key, pubkey)),
        openssl::base64_encode(attr(ciphertext, "iv")),
        openssl::base64_encode(as.raw(ciphertext)), sep = "$")
}

test_that("the legacy format is refused unless allowed, and read when allowed", {
  text <- legacy_message(plaintext, key_a$pubkey)
  expect_error(vtg:::crypto_decrypt(text, private_a), "legacy", class = "vtg_error")
  expect_identical(vtg:::crypto_decrypt(text, private_a, allow_legacy = TRUE), plaintext)
})

test_that("the 4.x web UI's legacy messages (base64 key and plaintext) are read", {
  binary <- as.raw(c(0, 255, 1, 254))
  ui_json <- legacy_message(plaintext, key_a$pubkey, from_ui = TRUE)
  ui_binary <- legacy_message(binary, key_a$pubkey, from_ui = TRUE)
  expect_identical(vtg:::crypto_decrypt(ui_json, private_a, allow_legacy = TRUE), plaintext)
  expect_identical(vtg:::crypto_decrypt(ui_binary, private_a, allow_legacy = TRUE), binary)
})

test_that("what is written in the legacy format is what 4.x reads", {
  parts <- parts_of(vtg:::crypto_encrypt(plaintext, public_a, legacy = TRUE))
  expect_length(parts, 3)
  key <- openssl::rsa_decrypt(openssl::base64_decode(parts[1]), key_a)
  opened <- openssl::aes_ctr_decrypt(openssl::base64_decode(parts[3]), key,
                                     openssl::base64_decode(parts[2]))
  expect_identical(as.raw(opened), plaintext)
})

test_that("keys that cannot be used are refused", {
  small <- tempfile(fileext = ".pem")
  openssl::write_pem(openssl::rsa_keygen(1024), small)
  expect_error(vtg:::crypto_read_private_key(small), "at least 2048", class = "vtg_error")

  locked <- tempfile(fileext = ".pem")
  openssl::write_pem(key_a, locked, password = "secret")
  expect_error(vtg:::crypto_read_private_key(locked), "password-protected", class = "vtg_error")

  not_pem <- tempfile()
  writeLines("not a key", not_pem)
  expect_error(vtg:::crypto_read_private_key(not_pem), "not a PEM private key")
  expect_error(vtg:::crypto_read_private_key(tempfile()), "does not exist")

  expect_error(vtg:::crypto_public_key(NULL, "organization 3"), "organization 3 has no public key")
  expect_error(vtg:::crypto_public_key("bm90IGEga2V5", "organization 3"), "not base64 of a PEM")
  expect_error(vtg:::crypto_public_key("@@@@", "organization 3"), "not base64 of a PEM")
})

test_that("base64 is standard base64, and is read strictly, as the Python side reads it", {
  for (n in 0:7) {
    bytes <- as.raw((seq_len(n) * 37) %% 256)
    expect_identical(vtg:::crypto_b64encode(bytes), openssl::base64_encode(bytes))
    expect_identical(vtg:::crypto_b64decode(vtg:::crypto_b64encode(bytes), "x"), bytes)
  }
  expect_identical(vtg:::crypto_b64decode("QUJD", "x"), charToRaw("ABC"))
  expect_identical(vtg:::crypto_b64decode("QUI=", "x"), charToRaw("AB"))
  expect_identical(vtg:::crypto_b64decode("", "x"), raw(0))
  for (bad in c("QUJ", "QUJD\n", "QU=D", "QU===", "QUJ-", " QUJD")) {
    expect_error(vtg:::crypto_b64decode(bad, "x"), "not valid base64", info = bad)
  }
})

test_that("the C primitives check their input and report OpenSSL's reason", {
  nonce <- openssl::rand_bytes(12)
  expect_error(.Call(vtg:::C_aes_gcm_encrypt, plaintext, raw(16), nonce, raw(0)), "32 bytes")
  expect_error(.Call(vtg:::C_aes_gcm_encrypt, plaintext, raw(32), raw(16), raw(0)), "12 bytes")
  expect_error(.Call(vtg:::C_aes_gcm_decrypt, raw(8), raw(32), nonce, raw(0)), "shorter")
  expect_error(.Call(vtg:::C_rsa_oaep_encrypt, raw(300), public_a$pem), "data too large")
  expect_error(.Call(vtg:::C_rsa_oaep_decrypt, raw(256), "not a pem"), "cannot read the private key")
  expect_error(.Call(vtg:::C_rsa_oaep_encrypt, "text", public_a$pem), "raw vector")

  key <- openssl::rand_bytes(32)
  aad <- charToRaw("header$")
  sealed <- .Call(vtg:::C_aes_gcm_encrypt, plaintext, key, nonce, aad)
  expect_identical(.Call(vtg:::C_aes_gcm_decrypt, sealed, key, nonce, aad), plaintext)
  expect_error(.Call(vtg:::C_aes_gcm_decrypt, sealed, key, nonce, charToRaw("other$")),
               "authentication failed")
})
