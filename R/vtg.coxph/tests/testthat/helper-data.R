# The tests run inside the installed package (test_check, or test_dir with load_package =
# "installed"), so its internal functions are visible here.

# The bundled data, as the installed package ships it.
extdata <- function(file) {
    utils::read.csv(system.file("extdata", file, package = "vtg.coxph", mustWork = TRUE))
}
