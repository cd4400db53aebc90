# Task input and results: the JSON shapes Python algorithms expect (jsonlite's auto_unbox
# pitfalls avoided), the RDS shape of the original vtg, and how results are read back.

input_json <- function(...) rawToChar(vtg:::payload_encode_input(...))

test_that("empty kwargs are an object and empty args an array", {
  expect_identical(input_json("m"), '{"method":"m","args":[],"kwargs":{}}')
  expect_identical(input_json("m", list(), list()), '{"method":"m","args":[],"kwargs":{}}')
  expect_identical(input_json("m", NULL, NULL), '{"method":"m","args":[],"kwargs":{}}')
})

test_that("one positional argument is still an array of one", {
  expect_identical(input_json("m", list(1)), '{"method":"m","args":[1],"kwargs":{}}')
  expect_identical(input_json("m", 1), '{"method":"m","args":[1],"kwargs":{}}')
  expect_identical(input_json("m", c(1, 2)), '{"method":"m","args":[1,2],"kwargs":{}}')
  expect_identical(input_json("m", list(c(1, 2))), '{"method":"m","args":[[1,2]],"kwargs":{}}')
})

test_that("keyword arguments: scalars unboxed, I() keeps an array, NULL and NA are null", {
  kwargs <- list(column = "age", columns = c("a", "b"), one = I("x"), none = NULL, missing = NA)
  expect_identical(
    input_json("avg", kwargs = kwargs),
    paste0('{"method":"avg","args":[],"kwargs":{"column":"age","columns":["a","b"],',
           '"one":["x"],"none":null,"missing":null}}')
  )
  expect_identical(input_json("m", kwargs = c(n = 5)), '{"method":"m","args":[],"kwargs":{"n":5}}')
})

test_that("named args are sent as positional ones; unnamed kwargs are refused", {
  expect_identical(input_json("m", list(a = 1)), '{"method":"m","args":[1],"kwargs":{}}')
  expect_error(vtg:::payload_encode_input("m", kwargs = list(1)), "name for each", class = "vtg_error")
  expect_error(vtg:::payload_encode_input("", list()), "method", class = "vtg_error")
  expect_error(vtg:::payload_encode_input(c("a", "b")), "method", class = "vtg_error")
})

test_that("the JSON is what Python reads back", {
  parsed <- jsonlite::parse_json(input_json("m", list(1, "a"), list(x = list(y = 2))))
  expect_identical(parsed, list(method = "m", args = list(1L, "a"), kwargs = list(x = list(y = 2L))))
})

test_that("format rds is RDS. and serialize() of the original vtg's list", {
  bytes <- vtg:::payload_encode_input("coxph", list(1), list(time = "t"), format = "rds")
  expect_identical(bytes[1:4], charToRaw("RDS."))
  expect_identical(
    unserialize(bytes[-(1:4)]),
    list(master = FALSE, method = "coxph", args = list(1), kwargs = list(time = "t"),
         output_format = "RDS")
  )
})

test_that("JSON results become R objects: dicts named lists, number lists vectors", {
  decode <- function(text) vtg:::payload_decode_result(charToRaw(text))
  expect_identical(decode('{"average": 53.25, "n": 4}'), list(average = 53.25, n = 4L))
  expect_identical(decode("[1.5, 2, 3]"), c(1.5, 2, 3))
  expect_identical(decode('json.{"a": [1, 2]}'), list(a = 1:2))
  expect_identical(decode('"text"'), "text")
  expect_null(decode("null"))
  expect_identical(decode('JSON.[1]'), 1L)
  expect_null(vtg:::payload_decode_result(raw(0)))
})

test_that("results that are not JSON are the raw bytes (never a file that text names)", {
  expect_identical(vtg:::payload_decode_result(as.raw(c(0, 1, 2))), as.raw(c(0, 1, 2)))
  path <- tempfile(fileext = ".json")
  writeLines('{"read": "from a file"}', path)
  expect_identical(vtg:::payload_decode_result(charToRaw(path)), charToRaw(path))
})

test_that("RDS results are read only when asked for", {
  value <- list(coef = c(a = 1.5))
  bytes <- c(charToRaw("RDS."), serialize(value, NULL))
  expect_error(vtg:::payload_decode_result(bytes), "format = \"rds\"", class = "vtg_error")
  expect_identical(vtg:::payload_decode_result(bytes, rds_allowed = TRUE), value)
  # the original vtg wrote its format as given ("rds."), and some algorithms saveRDS()
  path <- tempfile()
  saveRDS(value, path)
  compressed <- c(charToRaw("rds."), readBin(path, "raw", file.size(path)))
  expect_identical(vtg:::payload_decode_result(compressed, rds_allowed = TRUE), value)
})

test_that("plain collaborations store base64, and refuse what looks encrypted", {
  bytes <- charToRaw('{"a": 1}')
  expect_identical(vtg:::payload_seal(bytes), "eyJhIjogMX0=")
  expect_identical(vtg:::payload_open("eyJhIjogMX0="), bytes)
  expect_error(vtg:::payload_open("v6e1$a$b$c"), "not encrypted", class = "vtg_error")
  expect_error(vtg:::payload_open("not base64!"), "not valid base64", class = "vtg_error")
})

test_that("encrypted collaborations seal for the recipient and open with its key", {
  key <- openssl::rsa_keygen(2048)
  path <- tempfile(fileext = ".pem")
  openssl::write_pem(key, path)
  private <- vtg:::crypto_read_private_key(path)
  public <- vtg:::crypto_public_key(
    openssl::base64_encode(charToRaw(openssl::write_pem(key$pubkey))), "organization 1"
  )
  bytes <- vtg:::payload_encode_input("m", list(1))
  sealed <- vtg:::payload_seal(bytes, public)
  expect_match(sealed, "^v6e1\\$")
  expect_identical(vtg:::payload_open(sealed, private), bytes)
  expect_error(vtg:::payload_open(vtg:::payload_seal(bytes, public, legacy = TRUE), private),
               "legacy", class = "vtg_error")
})
