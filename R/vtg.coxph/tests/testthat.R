library(testthat)
library(vtg.coxph)

test_check("vtg.coxph")
