/* lam_report.c: DIR/report.md and its HTML twin from finished experiments:
 * one table row per prediction (verdict, effect, CI), then one section per
 * experiment with its declared protocol and criterion. Figures found in
 * DIR/NAME/ (*.png) are linked (Markdown) and inlined (HTML). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_config.h"
#include "lam_outfile.h"
#include "lam_experiment.h"

/* First PNG in DIR/NAME (alphabetical; the region map aside), or "" when
 * none. */
static void first_figure(const char *outdir, const char *name, char *out,
                         size_t n) {
  char dir[1100];
  snprintf(dir, sizeof dir, "%s/%s", outdir, name);
  out[0] = '\0';
  DIR *d = opendir(dir);
  if (!d) {
    return;
  }
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l > 4 && !strcmp(e->d_name + l - 4, ".png") && strcmp(e->d_name, "region.png") &&
        (!out[0] || strcmp(e->d_name, out + strlen(name) + 1) < 0)) {
      snprintf(out, n, "%s/%s", name, e->d_name);
    }
  }
  closedir(d);
}

/* The "holds in f of the region" cell: f [lo, hi] (n points). */
static void region_cell(char *buf, size_t n, const lam_exp_result *r) {
  const lam_region_summary *g = &r->region;
  if (!r->has_region) {
    snprintf(buf, n, "-");
  } else if (g->points == g->failed) {
    snprintf(buf, n, "no point ran (%zu failed)", g->failed);
  } else {
    snprintf(buf, n, "%.2f [%.2f, %.2f] (%zu points%s)", g->fraction, g->lo, g->hi,
             g->points - g->failed, g->failed ? ", some failed" : "");
  }
}

static void html_text(FILE *f, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '&':
      fputs("&amp;", f);
      break;
    default:
      fputc(*s, f);
    }
  }
}

/* " preliminary (n = 3 seeds)" beside the verdict of a --quick run, else "". */
static void preliminary(const lam_exp_result *r, char *out, size_t n) {
  if (r->preliminary) {
    snprintf(out, n, " preliminary (n = %zu seeds)", r->nseeds);
  } else {
    out[0] = '\0';
  }
}

/* Write errors are checked once, at the end (lam_outfile keeps the first
 * errno); a report cut short is removed, never renamed. */
static int finish(lam_outfile *of, lam_err *err) {
  if (lam_outfile_check(of, err)) {
    lam_outfile_abandon(of, 0, NULL);
    return LAM_EIO;
  }
  return lam_outfile_commit(of, NULL, NULL, err);
}

int lam_report_write(const char *outdir, const lam_exp_result *r, size_t n,
                     const lam_exp_opts *o, lam_err *err) {
  char path[1100], hpath[1100], fig[512], cell[128];
  int maps = 0;
  for (size_t i = 0; i < n; i++) {
    maps |= r[i].has_region;
  }
  snprintf(path, sizeof path, "%s/report.md", outdir);
  snprintf(hpath, sizeof hpath, "%s/report.html", outdir);
  lam_outfile *mdf = NULL, *htmlf = NULL;
  FILE *md = NULL, *html = NULL;
  int rc = lam_outfile_open(path, "report", 0, &mdf, err);
  if (!rc) {
    rc = lam_outfile_open(hpath, "report", 0, &htmlf, err);
  }
  if (!rc && (!(md = lam_outfile_stream(mdf, err)) ||
              !(html = lam_outfile_stream(htmlf, err)))) {
    rc = LAM_EIO;
  }
  if (rc) {
    lam_outfile_abandon(mdf, 0, NULL);
    lam_outfile_abandon(htmlf, 0, NULL);
    return rc;
  }
  fprintf(md, "# laminar %s: the column-as-attention predictions\n\n", LAM_VERSION);
  fprintf(md, "Model: `%s`%s. Seeds per experiment: %s. Verdicts compare the "
              "bootstrap 95%% CI of the mean effect over seeds with the criterion "
              "declared before the run (docs/experiments/README.md).\n\n",
          o->model_path, o->nsets ? " with --set overrides" : "",
          o->nseeds ? "as given" : (o->quick ? "3 (--quick)" : "10"));
  fputs(maps ? "| experiment | id | verdict | effect | 95% CI | evidence | criterion | figure | "
               "holds in f of the region |\n|---|---|---|---|---|---|---|---|---|\n"
             : "| experiment | id | verdict | effect | 95% CI | evidence | criterion | figure |\n"
               "|---|---|---|---|---|---|---|---|\n", md);
  fprintf(html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>laminar report</title>\n"
                "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
                "table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px}"
                "img{max-width:100%%}</style></head><body>\n"
                "<h1>laminar %s: the column-as-attention predictions</h1>\n"
                "<p>Model: <code>", LAM_VERSION);
  html_text(html, o->model_path);
  fputs("</code></p>\n<table><tr><th>experiment</th><th>prediction</th><th>verdict</th>"
        "<th>effect</th><th>95% CI</th><th>evidence</th><th>criterion</th>", html);
  fputs(maps ? "<th>holds in f of the region</th></tr>\n" : "</tr>\n", html);
  for (size_t i = 0; i < n; i++) {
    const lam_experiment *e = r[i].e;
    first_figure(outdir, e->name, fig, sizeof fig);
    region_cell(cell, sizeof cell, &r[i]);
    char pre[48];
    preliminary(&r[i], pre, sizeof pre);
    fprintf(md, "| [%s](#%s) | %s | **%s**%s | %.4g | [%.4g, %.4g] | %s | %s | %s%s%s |%s%s%s\n",
            e->name, e->name, e->id[0] ? e->id : "-", lam_verdict_name(r[i].verdict), pre,
            r[i].effect, r[i].lo, r[i].hi, lam_evidence_name(e->evidence),
            e->criterion.text,
            fig[0] ? "[png](" : "", fig, fig[0] ? ")" : "", maps ? " " : "", maps ? cell : "",
            maps ? " |" : "");
    fputs("<tr><td><a href=\"#", html);
    html_text(html, e->name);
    fputs("\">", html);
    html_text(html, e->name);
    fprintf(html, "</a></td><td>%s</td><td><b>%s</b>%s</td><td>%.4g</td><td>[%.4g, %.4g]</td>"
                  "<td>%s</td><td>",
            e->id[0] ? e->id : "-", lam_verdict_name(r[i].verdict), pre, r[i].effect,
            r[i].lo, r[i].hi, lam_evidence_name(e->evidence));
    html_text(html, e->criterion.text);
    if (maps) {
      fputs("</td><td>", html);
      html_text(html, cell);
    }
    fputs("</td></tr>\n", html);
  }
  fputs("\n", md);
  fputs("</table>\n", html);
  for (size_t i = 0; i < n; i++) {
    const lam_experiment *e = r[i].e;
    first_figure(outdir, e->name, fig, sizeof fig);
    fprintf(md, "## %s\n\n", e->name);
    fprintf(md, "- **Prediction** (%s%s%s): %s.\n", e->id, e->id[0] ? ", " : "",
            e->category, e->prediction);
    fprintf(md, "- **Protocol**: %s.\n- **Manipulation**: %s.\n- **Metric**: %s.\n",
            e->protocol, e->manipulation, e->metric);
    fprintf(md, "- **Effect size**: %s.\n- **Criterion** (declared before the run): %s.\n",
            e->effect, e->criterion.text);
    char pre[48];
    preliminary(&r[i], pre, sizeof pre);
    fprintf(md, "- **Result**: effect %.4g, 95%% CI [%.4g, %.4g] over %zu seeds: "
                "**%s**%s. Metrics: [%s/metrics.csv](%s/metrics.csv), "
                "[%s/result.json](%s/result.json).\n",
            r[i].effect, r[i].lo, r[i].hi, r[i].nseeds, lam_verdict_name(r[i].verdict),
            pre, e->name, e->name, e->name, e->name);
    fprintf(md, "- **Evidence**: %s", lam_evidence_name(e->evidence));
    for (size_t k = 0; e->evidence == LAM_EVIDENCE_MIXED && e->clauses &&
                       e->clauses[k].clause; k++) {
      fprintf(md, "%s%s (%s)", k ? "; " : ": ", e->clauses[k].clause,
              lam_evidence_name(e->clauses[k].evidence));
    }
    fputs(".\n", md);
    if (r[i].has_region) {
      fprintf(md, "- **Region**: holds in %s of %zu Latin-hypercube points of its "
                  "declared region (Wilson 95%% CI), %zu seeds each; keys by |Spearman rho| "
                  "with the effect:", cell, r[i].region.points, r[i].region.seeds);
      for (size_t k = 0; k < r[i].region.nkeys; k++) {
        fprintf(md, "%s `%s` %.2f", k ? "," : "", r[i].region.key[k], r[i].region.rho[k]);
      }
      fprintf(md, ". Points: [%s/region.csv](%s/region.csv), map: [%s/region.png](%s/region.png).\n",
              e->name, e->name, e->name, e->name);
    }
    fprintf(md, "- **Sources**: %s. Details: docs/experiments/%s.md.\n\n", e->citation,
            e->name);
    if (fig[0]) {
      fprintf(md, "![%s](%s)\n\n", e->name, fig);
    }
    fputs("<h2 id=\"", html);
    html_text(html, e->name);
    fputs("\">", html);
    html_text(html, e->name);
    fputs("</h2>\n<p><b>Prediction</b>: ", html);
    html_text(html, e->prediction);
    fputs("</p>\n<p><b>Protocol</b>: ", html);
    html_text(html, e->protocol);
    fputs("</p>\n<p><b>Manipulation</b>: ", html);
    html_text(html, e->manipulation);
    fputs("</p>\n<p><b>Metric</b>: ", html);
    html_text(html, e->metric);
    fputs("</p>\n<p><b>Criterion</b>: ", html);
    html_text(html, e->criterion.text);
    fprintf(html, "</p>\n<p><b>Result</b>: effect %.4g, 95%% CI [%.4g, %.4g] over %zu seeds: <b>%s</b>%s</p>\n",
            r[i].effect, r[i].lo, r[i].hi, r[i].nseeds, lam_verdict_name(r[i].verdict), pre);
    fprintf(html, "<p><b>Evidence</b>: %s", lam_evidence_name(e->evidence));
    for (size_t k = 0; e->evidence == LAM_EVIDENCE_MIXED && e->clauses &&
                       e->clauses[k].clause; k++) {
      fputs(k ? "; " : ": ", html);
      html_text(html, e->clauses[k].clause);
      fprintf(html, " (%s)", lam_evidence_name(e->clauses[k].evidence));
    }
    fputs("</p>\n", html);
    if (r[i].has_region) {
      fputs("<p><b>Region</b>: holds in ", html);
      html_text(html, cell);
      fprintf(html, " of its declared region: <a href=\"%s/region.csv\">points</a></p>\n"
                    "<p><img src=\"%s/region.png\" alt=\"region map\"></p>\n", e->name, e->name);
    }
    if (fig[0]) {
      fputs("<p><img src=\"", html);
      html_text(html, fig);
      fputs("\" alt=\"figure\"></p>\n", html);
    }
  }
  fputs("</body></html>\n", html);
  rc = finish(mdf, err);
  int rc2 = finish(htmlf, rc ? NULL : err);
  return rc ? rc : rc2;
}
