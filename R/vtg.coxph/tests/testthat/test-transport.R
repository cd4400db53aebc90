test_that("numbers sent as text come back as the very same doubles", {
    x <- c(0, 1, 12, 0.1, 1 / 3, 100 / 365.25, pi * 1e10, 1e-300, -2.5e17, 0.1 + 0.2)
    sent <- json_round_trip(list(x = encode_numbers(x)), digits = 4)
    expect_identical(decode_numbers(sent$x), x)
    # plain JSON numbers keep 15 significant digits only: not always the same double
    expect_false(identical(json_round_trip(list(x = x))$x, x))
})

test_that("decoding copes with what JSON makes of short vectors", {
    expect_identical(decode_numbers(json_round_trip(list(x = 2.5))$x), 2.5)
    expect_identical(decode_numbers(json_round_trip(list(x = numeric(0)))$x), numeric(0))
    expect_identical(decode_numbers(list(1, "2", 3L)), c(1, 2, 3))
    expect_identical(decode_numbers(NULL), numeric(0))
    expect_identical(decode_names(json_round_trip(list(x = "Age"))$x), "Age")
    expect_identical(decode_names(json_round_trip(list(x = c("a", "b")), simplify = FALSE)$x),
                     c("a", "b"))
})
