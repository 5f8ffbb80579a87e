/* lam_analysis_json.c: the analysis of a run as JSON (see lam_analysis_json.h). */
#include "lam_analysis_json.h"

#include <math.h>
#include <string.h>

#include "lam_granger.h"

/* JSON numbers: NaN and infinities become null. */
static void jnum(FILE *o, double v) {
  if (isfinite(v)) {
    fprintf(o, "%.17g", v);
  } else {
    fputs("null", o);
  }
}

static void jstr(FILE *o, const char *s) {
  fputc('"', o);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') {
      fputc('\\', o);
    }
    fputc(*s, o);
  }
  fputc('"', o);
}

/* , "<band><suffix>": v for every band. */
static void jbands(FILE *o, const lam_analysis *an, const char *suffix, const double *v) {
  for (size_t b = 0; b < an->nb; b++) {
    fprintf(o, ", \"%s%s\": ", an->band[b].name, suffix);
    jnum(o, v[b]);
  }
}

static void json_seg(FILE *o, const lam_analysis_area *a) {
  if (a->have_seg) {
    fputs("{\"gamma_ratio\": ", o);
    jnum(o, a->segr.gamma_ratio);
    fputs(", \"alphabeta_ratio\": ", o);
    jnum(o, a->segr.alphabeta_ratio);
    fputs(", \"laminar_ratio\": ", o);
    jnum(o, a->segr.laminar_ratio);
    fputc('}', o);
  } else {
    fputs("null", o);
  }
}

static void json_pac(FILE *o, const lam_analysis_area *a) {
  jnum(o, a->have_pac ? a->mi : NAN);
}

static void json_attn(FILE *o, const lam_analysis_area *a) {
  if (a->have_attn) {
    fprintf(o, "{\"rows\": %zu, \"keys\": %zu, \"entropy_nats\": ", a->attn_rows,
            a->attn_keys);
    jnum(o, a->ent_final);
    fputs(", \"entropy_mean_nats\": ", o);
    jnum(o, a->ent_mean);
    fputs(", \"burst_rate\": ", o);
    jnum(o, a->burst_final);
    fputs(", \"burst_rate_mean\": ", o);
    jnum(o, a->burst_mean);
    fputc('}', o);
  } else {
    fputs("null", o);
  }
}

/* A single-area run: area 0's value; a run of areas: {"AREA": value, ...}. */
static void json_per_area(FILE *o, const lam_analysis *an,
                          void (*val)(FILE *, const lam_analysis_area *)) {
  if (!an->multi) {
    if (an->na) {
      val(o, &an->area[0]);
    } else {
      fputs("null", o);
    }
    return;
  }
  fputc('{', o);
  for (size_t k = 0; k < an->na; k++) {
    fputs(k ? ", " : "", o);
    jstr(o, an->area[k].name);
    fputs(": ", o);
    val(o, &an->area[k]);
  }
  fputc('}', o);
}

static const char *crit_name(int c) {
  return c == LAM_GRANGER_AIC ? "aic" : c == LAM_GRANGER_BIC ? "bic" : "fixed";
}

static void granger_json(FILE *o, const lam_analysis_granger *a, const lam_band *bands,
                        size_t nb) {
  if (a->na < 2) {
    fputs("null", o);
    return;
  }
  fprintf(o, "{\"criterion\": \"%s\", \"max_order\": %zu, \"pairs\": [",
          crit_name(a->criterion), a->pmax);
  for (size_t p = 0; p < a->np; p++) {
    const lam_analysis_gpair *g = &a->pair[p];
    fprintf(o, "%s{\"from\": \"%s\", \"to\": \"%s\", \"order\": %zu",
            p ? ",\n    " : "\n    ", a->name[g->from], a->name[g->to], g->order);
    for (size_t b = 0; b < nb && b < LAM_ANALYSIS_MAXBANDS; b++) {
      fprintf(o, ", \"%s_granger\": ", bands[b].name);
      jnum(o, g->gc[b]);
    }
    fputc('}', o);
  }
  fputs("]}", o);
}

void lam_analysis_json(FILE *o, const lam_analysis *an, const char *file,
                       const char *incomplete) {
  fputs("{\n  \"file\": ", o);
  jstr(o, file);
  if (incomplete) {
    fputs(",\n  \"incomplete\": true,\n  \"input_status\": ", o);
    jstr(o, incomplete);
  }
  fputs(",\n  \"samples\": ", o);
  fprintf(o, "%zu", an->n);
  fputs(",\n  \"fs_hz\": ", o);
  jnum(o, an->fs);
  fputs(",\n  \"t0_s\": ", o);
  jnum(o, an->t0);
  fputs(",\n  \"welch_segment_s\": ", o);
  jnum(o, an->seg);
  fprintf(o, ",\n  \"welch_segments\": %zu", an->nsegments);
  fputs(",\n  \"bands\": [", o);
  for (size_t b = 0; b < an->nb; b++) {
    fputs(b ? ", {\"name\": " : "{\"name\": ", o);
    jstr(o, an->band[b].name);
    fputs(", \"lo_hz\": ", o);
    jnum(o, an->band[b].lo_hz);
    fputs(", \"hi_hz\": ", o);
    jnum(o, an->band[b].hi_hz);
    fputc('}', o);
  }
  fputs("],\n  \"layers\": [", o);
  for (size_t i = 0; i < an->nl; i++) {
    const lam_analysis_layer *l = &an->layer[i];
    fputs(i ? ",\n    {" : "\n    {", o);
    if (an->multi) {
      fputs("\"area\": ", o);
      jstr(o, l->area);
      fputs(", ", o);
    }
    fputs("\"layer\": ", o);
    jstr(o, l->name);
    fputs(", \"populations\": ", o);
    jstr(o, l->pops);
    fprintf(o, ", \"columns\": %zu, \"unit\": ", l->ncols);
    jstr(o, l->unit);
    fputs(", \"mean\": ", o);
    jnum(o, l->mean);
    jbands(o, an, "_power", l->pw);
    jbands(o, an, "_peak_hz", l->pk);
    jbands(o, an, "_coherence", l->coh);
    fputc('}', o);
  }
  fputs("\n  ],\n  \"layer_coherence\": [", o);
  for (size_t i = 0, k = 0; i < an->nl; i++) {
    for (size_t j = i + 1; j < an->nl; j++, k++) {
      fputs(k ? ",\n    {\"layers\": [" : "\n    {\"layers\": [", o);
      jstr(o, an->layer[i].label);
      fputs(", ", o);
      jstr(o, an->layer[j].label);
      fputc(']', o);
      if (an->multi) {
        fprintf(o, ", \"same_area\": %s",
                strcmp(an->layer[i].area, an->layer[j].area) ? "false" : "true");
      }
      jbands(o, an, "_coherence", an->pcoh[i][j]);
      fputc('}', o);
    }
  }
  fputs(an->nl > 1 ? "\n  ],\n  \"segregation\": " : "],\n  \"segregation\": ", o);
  json_per_area(o, an, json_seg);
  fputs(",\n  \"pac_mi\": ", o);
  json_per_area(o, an, json_pac);
  fputs(",\n  \"attention\": ", o);
  json_per_area(o, an, json_attn);
  fputs(",\n  \"contacts\": [", o);
  const char *lfp_unit = "";
  size_t nct = 0;
  for (size_t k = 0; k < an->na; k++) {
    const lam_analysis_area *a = &an->area[k];
    lfp_unit = a->nc && !lfp_unit[0] ? a->lfp_unit : lfp_unit;
    for (size_t c = 0; c < a->nc; c++, nct++) {
      fputs(nct ? ",\n    {" : "\n    {", o);
      if (an->multi) {
        fputs("\"area\": ", o);
        jstr(o, a->name);
        fputs(", ", o);
      }
      fprintf(o, "\"contact\": %zu, \"depth_um\": ", c);
      jnum(o, a->depth[c]);
      fputs(", \"mean\": ", o);
      jnum(o, a->cmean[c]);
      jbands(o, an, "_power", a->cpw + c * an->nb);
      jbands(o, an, "_peak_hz", a->cpk + c * an->nb);
      fputc('}', o);
    }
  }
  fputs(nct ? "\n  ],\n  \"lfp_unit\": " : "],\n  \"lfp_unit\": ", o);
  jstr(o, lfp_unit);
  fputs(",\n  \"granger\": ", o);
  granger_json(o, &an->granger, an->band, an->nb);
  fputs(",\n  \"warnings\": [", o);
  for (size_t w = 0; w < an->nwarn && w < LAM_ANALYSIS_MAXWARN; w++) {
    fputs(w ? ",\n    " : "\n    ", o);
    jstr(o, an->warn[w]);
  }
  fputs(an->nwarn ? "\n  ]\n}\n" : "]\n}\n", o);
}
