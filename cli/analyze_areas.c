/* analyze_areas.c: spectral Granger causality between areas (see
 * analyze_areas.h). */
#include "analyze_areas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lam_granger.h"

static const char *crit_name(int c) {
  return c == LAM_GRANGER_AIC ? "aic" : c == LAM_GRANGER_BIC ? "bic" : "fixed";
}

int lam_cli_areas_add(lam_cli_areas *a, const char *pop, const char *layer,
                      const double *v, size_t ncols, size_t nunits, size_t i0,
                      size_t n) {
  const char *dot = strchr(pop, '.');
  if (!dot || dot == pop || (size_t)(dot - pop) >= sizeof a->name[0] ||
      (strcmp(layer, "L2/3") && strcmp(layer, "L5"))) {
    return 0;
  }
  const size_t len = (size_t)(dot - pop);
  size_t k = 0;
  while (k < a->na && (strlen(a->name[k]) != len || strncmp(a->name[k], pop, len))) {
    k++;
  }
  if (k == a->na) {
    if (a->na == LAM_CLI_MAXAREAS) {
      return 1;
    }
    a->x[k] = calloc(n, sizeof *a->x[k]);
    if (!a->x[k]) {
      return 1;
    }
    memcpy(a->name[k], pop, len);
    a->name[k][len] = '\0';
    a->na++;
  }
  a->n = n;
  for (size_t i = 0; i < n; i++) {
    const double *row = v + (i + i0) * ncols * nunits;
    for (size_t u = 0; u < ncols * nunits; u++) {
      a->x[k][i] += row[u];
    }
  }
  a->cnt[k] += (double)(ncols * nunits);
  return 0;
}

void lam_cli_areas_granger(lam_cli_areas *a, double fs, const lam_band *bands,
                           size_t nb) {
  a->np = 0;
  if (a->na < 2) {
    return;
  }
  for (size_t k = 0; k < a->na; k++) {
    for (size_t i = 0; i < a->n; i++) {
      a->x[k][i] /= a->cnt[k];
    }
  }
  for (size_t i = 0; i < a->na; i++) {
    for (size_t j = i + 1; j < a->na; j++) {
      lam_err err = {0};
      lam_granger *g = lam_granger_new(a->x[i], 1, a->x[j], 1, a->n, fs,
                                       a->pmax, a->criterion, &err);
      lam_cli_gpair *ij = &a->pair[a->np++], *ji = &a->pair[a->np++];
      *ij = (lam_cli_gpair){.from = i, .to = j};
      *ji = (lam_cli_gpair){.from = j, .to = i};
      ij->order = ji->order = g ? lam_granger_order(g) : 0;
      for (size_t b = 0; b < nb && b < LAM_CLI_MAXGBANDS; b++) {
        ij->gc[b] = ji->gc[b] = NAN;
        const double hi = bands[b].hi_hz < fs / 2 ? bands[b].hi_hz : fs / 2;
        if (g && bands[b].lo_hz < hi &&
            lam_granger_band(g, bands[b].lo_hz, hi, &ij->gc[b], &ji->gc[b], &err)) {
          ij->gc[b] = ji->gc[b] = NAN;
        }
      }
      if (!g || err.code) {
        snprintf(a->note, sizeof a->note, "%s:%s: %s", a->name[i], a->name[j],
                 err.msg);
      }
      lam_granger_free(g);
    }
  }
}

void lam_cli_areas_free(lam_cli_areas *a) {
  for (size_t k = 0; k < a->na; k++) {
    free(a->x[k]);
  }
}

void lam_cli_areas_table(FILE *o, const lam_cli_areas *a, const lam_band *bands,
                         size_t nb) {
  if (a->na < 2) {
    return;
  }
  fprintf(o, "\nspectral Granger causality between areas (nats, band mean; area "
             "signal: mean of its L2/3 and L5 populations; VAR order by %s, max %zu):\n",
          crit_name(a->criterion), a->pmax);
  fprintf(o, "%-20s %-6s", "direction", "order");
  for (size_t b = 0; b < nb; b++) {
    fprintf(o, " %-12s", bands[b].name);
  }
  fprintf(o, "\n");
  for (size_t p = 0; p < a->np; p++) {
    char dir[140];
    snprintf(dir, sizeof dir, "%s->%s", a->name[a->pair[p].from], a->name[a->pair[p].to]);
    fprintf(o, "%-20s %-6zu", dir, a->pair[p].order);
    for (size_t b = 0; b < nb && b < LAM_CLI_MAXGBANDS; b++) {
      fprintf(o, " %-12.5g", a->pair[p].gc[b]);
    }
    fprintf(o, "\n");
  }
  if (a->note[0]) {
    fprintf(o, "granger: not computed for %s\n", a->note);
  }
}

static void jnum(FILE *o, double v) {
  if (isfinite(v)) {
    fprintf(o, "%.17g", v);
  } else {
    fputs("null", o);
  }
}

void lam_cli_areas_json(FILE *o, const lam_cli_areas *a, const lam_band *bands,
                        size_t nb) {
  if (a->na < 2) {
    fputs("null", o);
    return;
  }
  fprintf(o, "{\"criterion\": \"%s\", \"max_order\": %zu, \"pairs\": [",
          crit_name(a->criterion), a->pmax);
  for (size_t p = 0; p < a->np; p++) {
    const lam_cli_gpair *g = &a->pair[p];
    fprintf(o, "%s{\"from\": \"%s\", \"to\": \"%s\", \"order\": %zu",
            p ? ",\n    " : "\n    ", a->name[g->from], a->name[g->to], g->order);
    for (size_t b = 0; b < nb && b < LAM_CLI_MAXGBANDS; b++) {
      fprintf(o, ", \"%s_granger\": ", bands[b].name);
      jnum(o, g->gc[b]);
    }
    fputc('}', o);
  }
  fputs("]}", o);
}

void lam_cli_areas_csv(FILE *o, const lam_cli_areas *a, const lam_band *bands,
                       size_t nb) {
  for (size_t p = 0; p < a->np; p++) {
    const lam_cli_gpair *g = &a->pair[p];
    fprintf(o, "granger,\"%s->%s\",order,%zu,1\n", a->name[g->from],
            a->name[g->to], g->order);
    for (size_t b = 0; b < nb && b < LAM_CLI_MAXGBANDS; b++) {
      fprintf(o, "granger,\"%s->%s\",%s,", a->name[g->from], a->name[g->to],
              bands[b].name);
      if (isfinite(g->gc[b])) {
        fprintf(o, "%.17g", g->gc[b]);
      }
      fputs(",nats\n", o);
    }
  }
}
