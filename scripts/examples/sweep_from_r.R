# sweep_from_r.R: run `laminar sweep` from R and plot a metric
# (docs/sweeps.md). Rscript scripts/examples/sweep_from_r.R, from any folder:
# the files are written there; the program is $LAMINAR, else `laminar` on
# PATH, else the build tree's.
args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
root <- normalizePath(file.path(dirname(script), "..", ".."))
laminar <- Sys.getenv("LAMINAR", Sys.which("laminar"))
if (laminar == "") laminar <- file.path(root, "build", "cli", "laminar")
t_end <- Sys.getenv("T_END", "1")
design <- expand.grid(column.beta = c(0.5, 1, 2, 4), network.c_td = seq(0, 1, length.out = 4))
# R mangles "column.beta" only when reading; write the header verbatim.
write.csv(design, "design.csv", row.names = FALSE, quote = FALSE)
status <- system2(laminar, c("sweep", file.path(root, "models", "default.ini"),
                             "--design", "design.csv",
                             "--metric", "attention_entropy", "--metric", "gamma_power_l23",
                             "--t-end", t_end, "-j", "2", "-o", "sweep_r.csv"))
stopifnot(status == 0)
# Read as it is (provenance: sweep_r.csv.meta); NaN reads as NaN, an empty
# metric (failed row) as NA.
rows <- read.csv("sweep_r.csv", check.names = FALSE,
                 stringsAsFactors = FALSE)
ok <- rows[rows$status == "ok", ]
cat(nrow(ok), "ok,", sum(rows$status == "failed"), "failed\n")
m <- xtabs(attention_entropy ~ column.beta + network.c_td, data = ok)
png("sweep_r_heatmap.png", width = 600, height = 480)
image(as.numeric(rownames(m)), as.numeric(colnames(m)), unclass(m), log = "x",
      xlab = "column.beta", ylab = "network.c_td", main = "attention entropy (nats)")
dev.off()
