/* lam_sections.h: the one list of model-file sections, each with the
 * parameter table of its keys (core/lam_param.h), in the order
 * `laminar keys` and docs/model-reference.md show them.
 *
 * Everything that names sections reads this list: `laminar keys`, the
 * units of swept keys on plot axes. A section added to the model files is
 * added here once.
 */
#ifndef LAM_SECTIONS_H
#define LAM_SECTIONS_H

#include <stddef.h>

#include "lam_param.h"

/* Every section, *n of them. */
const lam_section *lam_sections(size_t *n);

/* The section called name, or NULL. Scoped names resolve to the section
 * they scope: "link.v1" to "link.NAME" (the link from area v1), and
 * "area.v2.column" to "column" (area v2's override of [column]). */
const lam_section *lam_sections_find(const char *name);

/* The unit of a key written "section.key" (any name lam_sections_find
 * takes: "clocks.gamma_hz" -> "Hz", "area.v2.column.beta" -> "1") into
 * unit: its table's unit as it stands ("-" for a switch or a word).
 * LAM_ENOTFOUND for an unknown section or key (unit then ""). */
int lam_sections_unit(const char *section_dot_key, char *unit, size_t len);

#endif
