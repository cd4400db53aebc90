library(testthat)
library(vtg)

test_check("vtg")
