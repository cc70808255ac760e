/* The report for machines: one JSON document per core, with the same
 * content as the text report and field names that stay stable within a
 * schema_version.  doc/pycore-report.schema.json and pycore(1) describe
 * every field. */
#ifndef PYCORE_REPORT_JSON_H
#define PYCORE_REPORT_JSON_H

#include <stdio.h>

#include "report/options.h"

struct analysis;

/* Bumped when a field changes meaning or is removed; new fields do not. */
#define REPORT_JSON_SCHEMA_VERSION 2

/* Write ANALYSIS to OUT as one JSON document and a newline.  Text from the
 * core is escaped; bytes that are not UTF-8 become U+FFFD.  The caller
 * checks OUT for write errors. */
void report_json(FILE *out, const struct analysis *analysis, const struct report_options *options);

#endif
