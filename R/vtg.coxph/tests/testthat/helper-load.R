# Run either as part of the installed package (R CMD check / test_check: the package's
# functions, internal ones included, are already visible) or straight from the source tree
# (testthat::test_dir("tests/testthat", load_package = "none")): then source R/*.R here.
if (!exists("RPC_perform_iteration", mode = "function")) {
    for (file in sort(list.files(test_path("..", "..", "R"), "\\.R$", full.names = TRUE))) {
        source(file, local = TRUE)
    }
}

# The bundled data: from the installed package, or from the source tree.
extdata <- function(file) {
    path <- system.file("extdata", file, package = "vtg.coxph")
    if (!nzchar(path)) path <- test_path("..", "..", "inst", "extdata", file)
    utils::read.csv(path)
}
