/* analyze_areas.c: printing the spectral Granger causality between areas
 * (see analyze_areas.h). */
#include "analyze_areas.h"

#include <math.h>
#include <string.h>

#include "lam_granger.h"

static const char *crit_name(int c) {
  return c == LAM_GRANGER_AIC ? "aic" : c == LAM_GRANGER_BIC ? "bic" : "fixed";
}

void lam_cli_areas_layer_pairs(FILE *o, const lam_analysis *an) {
  if (!an->multi) {
    return;
  }
  fprintf(o, "coherence between layers of different areas (band mean, same "
             "column index, mean over columns):\n");
  fprintf(o, "%-28s", "layers");
  for (size_t b = 0; b < an->nb; b++) {
    fprintf(o, " %-12s", an->band[b].name);
  }
  fprintf(o, "\n");
  for (size_t i = 0; i < an->nl; i++) {
    for (size_t j = i + 1; j < an->nl; j++) {
      if (!strcmp(an->layer[i].area, an->layer[j].area)) {
        continue;
      }
      char pair[4 * LAM_ANALYSIS_NAMELEN + 8];
      snprintf(pair, sizeof pair, "%s:%s", an->layer[i].label, an->layer[j].label);
      fprintf(o, "%-28s", pair);
      for (size_t b = 0; b < an->nb; b++) {
        fprintf(o, " %-12.3f", an->pcoh[i][j][b]);
      }
      fprintf(o, "\n");
    }
  }
  fprintf(o, "\n");
}

void lam_cli_areas_table(FILE *o, const lam_analysis_granger *a, const lam_band *bands,
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
    for (size_t b = 0; b < nb && b < LAM_ANALYSIS_MAXBANDS; b++) {
      fprintf(o, " %-12.5g", a->pair[p].gc[b]);
    }
    fprintf(o, "\n");
  }
  if (a->note[0]) {
    fprintf(o, "granger: not computed for %s\n", a->note);
  }
}

void lam_cli_areas_csv(FILE *o, const lam_analysis_granger *a, const lam_band *bands,
                       size_t nb) {
  for (size_t p = 0; p < a->np; p++) {
    const lam_analysis_gpair *g = &a->pair[p];
    fprintf(o, "granger,\"%s->%s\",order,%zu,1\n", a->name[g->from],
            a->name[g->to], g->order);
    for (size_t b = 0; b < nb && b < LAM_ANALYSIS_MAXBANDS; b++) {
      fprintf(o, "granger,\"%s->%s\",%s,", a->name[g->from], a->name[g->to],
              bands[b].name);
      if (isfinite(g->gc[b])) {
        fprintf(o, "%.17g", g->gc[b]);
      }
      fputs(",nats\n", o);
    }
  }
}
