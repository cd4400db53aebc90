# The algorithm side: the run's input and output formats (R/algorithm_io.R).
quiet <- options(vtg.quiet = TRUE)  # the wrapper's log lines, but for errors
withr::defer(options(quiet), teardown_env())

rds_input <- function(document, compress = FALSE) {
  if (compress) {
    path <- tempfile()
    saveRDS(document, path)
    return(c(charToRaw("RDS."), readBin(path, "raw", file.size(path))))
  }
  c(charToRaw("RDS."), serialize(document, NULL))
}

ORIGINAL_INPUT <- list(master = FALSE, debug = FALSE, method = "colsum",
                       args = list("age"), kwargs = list(scale = 2), output_format = "RDS")

test_that("JSON input: method, args in order (each simplified on its own), kwargs", {
  call <- parse_input('{"method": "avg", "args": [1, "a", [1, 2.5], {"x": [1, 2]}, null,
                      [{"a": 1}, {"a": 2}], [[1, 2], [3, 4]]], "kwargs": {"k": [true, false], "z": {}}}')
  expect_identical(call$method, "avg")
  expect_length(call$args, 7L)
  expect_identical(call$args[[1]], 1L)
  expect_identical(call$args[[2]], "a")  # not coerced to text with the others
  expect_identical(call$args[[3]], c(1, 2.5))
  expect_identical(call$args[[4]], list(x = 1:2))
  expect_null(call$args[[5]])
  expect_identical(call$args[[6]], data.frame(a = 1:2))
  expect_identical(call$args[[7]], matrix(1:4, 2, byrow = TRUE))
  expect_identical(call$kwargs$k, c(TRUE, FALSE))
  expect_identical(call$kwargs$z, stats::setNames(list(), character(0)))
  expect_null(call$master)
  expect_null(call$output_format)
  expect_false(call$prefixed)
})

test_that("numbers keep every digit", {
  values <- c(0.1 + 0.2, pi, 1 / 3, 1e-300, 2^60 + 1024)
  text <- sprintf('{"method": "m", "args": [%s, [%s]]}', sprintf("%.17g", values[[1]]),
                  paste(sprintf("%.17g", values), collapse = ", "))
  call <- parse_input(text)
  expect_identical(call$args[[1]], values[[1]])
  expect_identical(call$args[[2]], values)
  expect_identical(parse_input('{"method": "m", "args": [[1.0, 2.0]]}')$args[[1]], c(1, 2))
})

test_that("args and kwargs may be missing or null", {
  call <- parse_input('{"method": "m"}')
  expect_identical(call$args, list())
  expect_length(call$kwargs, 0L)
  call <- parse_input('{"method": "m", "args": null, "kwargs": null}')
  expect_identical(call$args, list())
})

test_that("the json. prefix and the 3.x shape (master, output_format) are read", {
  call <- parse_input('json.{"master": true, "method": "central", "args": [], "kwargs": {"a": 1},
                      "output_format": "json"}')
  expect_true(call$master)
  expect_identical(call$output_format, "json")
  expect_true(call$prefixed)
  expect_identical(call$kwargs, list(a = 1L))
  expect_identical(parse_input(charToRaw('{"method": "m", "master": false}'))$master, FALSE)
})

test_that("bad JSON input is refused with a clear message", {
  expect_error(parse_input(""), "the input file is empty", class = "vtg_algorithm_error")
  expect_error(parse_input("{nope"), "the input is not JSON")
  expect_error(parse_input("[1, 2]"), "must be a JSON object with a 'method'")
  expect_error(parse_input('{"args": []}'), "names no 'method'")
  expect_error(parse_input('{"method": 3}'), "names no 'method'")
  expect_error(parse_input('{"method": "m", "args": {"a": 1}}'), "'args' in the input must be a list")
  expect_error(parse_input('{"method": "m", "kwargs": [1]}'), "'kwargs' in the input must be an object")
  expect_error(parse_input('{"method": "m", "master": "yes"}'), "'master' .* true or false")
  expect_error(parse_input('{"method": "m", "output_format": "pickle"}'), "output_format 'pickle' is not supported")
})

test_that("only public, syntactic function names may be called", {
  for (name in c(".hidden", "..1", "a b", "if", "1abc", "_x", "pkg::f", "f()")) {
    expect_error(parse_input(sprintf('{"method": "%s"}', name)), "not the name of a public function",
                 class = "vtg_algorithm_error")
  }
  expect_identical(parse_input('{"method": "compute.summaries"}')$method, "compute.summaries")
})

test_that("pickled input is refused", {
  expect_error(parse_input(c(charToRaw("pickle."), as.raw(c(0x80, 0x04)))), "pickled input is refused",
               class = "vtg_algorithm_error")
})

test_that("RDS input is refused unless the node allows it, naming the node's setting", {
  expect_error(parse_input(rds_input(ORIGINAL_INPUT), allow_rds = FALSE),
               "allow_rds = true in the\\s+\\[policies\\] section", class = "vtg_algorithm_error")
  withr::local_envvar(VTG_ALLOW_RDS = NA)
  expect_error(parse_input(rds_input(ORIGINAL_INPUT)), "CVE-2024-27322")
  withr::local_envvar(VTG_ALLOW_RDS = "false")
  expect_error(parse_input(rds_input(ORIGINAL_INPUT)), "allow_rds")
})

test_that("RDS input of the original vtg client is read when the node allows it", {
  withr::local_envvar(VTG_ALLOW_RDS = base32_encode("true"))  # as the node passes it
  for (compress in c(FALSE, TRUE)) {
    call <- parse_input(rds_input(ORIGINAL_INPUT, compress = compress))
    expect_identical(call$method, "colsum")
    expect_identical(call$args, list("age"))
    expect_identical(call$kwargs, list(scale = 2))
    expect_identical(call$master, FALSE)
    expect_identical(call$output_format, "rds")
    expect_identical(call$format, "rds")
  }
  original <- ORIGINAL_INPUT
  original$kwargs <- pairlist()  # what the original client sends without named arguments
  expect_identical(parse_input(rds_input(original), allow_rds = TRUE)$kwargs, list())
  expect_error(parse_input(c(charToRaw("RDS."), as.raw(1:20)), allow_rds = TRUE),
               "not in R's serialize format")
  expect_error(parse_input(rds_input(list(method = ".secret")), allow_rds = TRUE),
               "not the name of a public function")
})

# -- output ----------------------------------------------------------------------------------

json_of <- function(result, call = list(method = "m")) rawToChar(encode_output(result, call))

test_that("results are JSON as Python reads them", {
  expect_identical(json_of(list(a = 1, b = "x")), '{"a":1,"b":"x"}')          # named list: object
  expect_identical(json_of(c(1.5, 2, 3)), "[1.5,2,3]")                        # vector: array
  expect_identical(json_of(42L), "42")                                         # length one: scalar
  expect_identical(json_of(list(1, "a")), '[1,"a"]')                           # unnamed list: array
  expect_identical(json_of(c(a = 1, b = 2)), '{"a":1,"b":2}')                  # named vector: object
  expect_identical(json_of(NULL), "null")
  expect_identical(json_of(list(x = NA, y = c(1, NA, NaN, Inf))), '{"x":null,"y":[1,null,null,null]}')
  expect_identical(json_of(pi), "3.14159265358979")                            # 15 digits
  expect_identical(json_of(factor(c("u", "v"))), '["u","v"]')
  expect_identical(json_of(structure(list(coef = 1), class = "fit")), '{"coef":1}')
})

test_that("a data.frame is written column-wise, for pandas.DataFrame(result)", {
  frame <- data.frame(id = 1:2, name = c("a", NA), stringsAsFactors = FALSE)
  expect_identical(json_of(frame), '{"id":[1,2],"name":["a",null]}')
  expect_identical(json_of(list(table = frame)), '{"table":{"id":[1,2],"name":["a",null]}}')
})

test_that("the output carries a format prefix when the input did; RDS when asked", {
  expect_identical(json_of(list(a = 1), list(method = "m", prefixed = TRUE)), 'json.{"a":1}')
  result <- list(fit = structure(list(coef = c(x = 1.25)), class = "fit"), frame = data.frame(a = 1:2))
  bytes <- encode_output(result, list(method = "m", output_format = "rds", prefixed = TRUE))
  expect_identical(rawToChar(bytes[1:4]), "RDS.")
  expect_identical(unserialize(bytes[-(1:4)]), result)
})

test_that("results read back: JSON (with or without prefix); RDS only when allowed", {
  value <- list(a = 1:3, b = "x")
  expect_identical(decode_payload(charToRaw(json_of(value))), value)
  expect_identical(decode_payload(charToRaw(paste0("json.", json_of(value)))), value)
  expect_identical(decode_payload(charToRaw(json_of(data.frame(a = 1:2, b = c("x", "y"))))),
                   list(a = 1:2, b = c("x", "y")))
  expect_null(decode_payload(raw(0)))
  rds <- c(charToRaw("RDS."), serialize(value, NULL))
  expect_identical(decode_payload(rds, allow_rds = TRUE), value)
  expect_error(decode_payload(rds, allow_rds = FALSE), "allow_rds", class = "vtg_algorithm_error")
  expect_error(decode_payload(charToRaw("pickle.xyz")), "pickled")
  expect_error(decode_payload(charToRaw("not json")), "is not JSON")
})

test_that("JSON written and read again gives back what R algorithms exchange", {
  value <- list(beta = c(0.5, -1.25), n = 10L, names = c("age", "sex"), ok = TRUE)
  call <- parse_input(sprintf('{"method": "m", "args": [%s]}', json_of(value)))
  expect_identical(call$args[[1]], value)
})
