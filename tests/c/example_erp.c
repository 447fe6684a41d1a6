/*
 * Loading an ERP's client export into clientbase: the example to copy.
 *
 * Reads a CSV export (Russian headers, `;` between cells, decimal commas),
 * imports every row, sets aside and reports every cell it cannot use (line,
 * column, reason)
 * and prints one imported client as JSON.
 *
 * Build and run against an installed clientbase:
 *
 *     cc -std=c11 example_erp.c $(pkg-config --cflags --libs clientbase) \
 *        -Wl,-rpath,$(pkg-config --variable=libdir clientbase) -o example_erp
 *     ./example_erp tests/c/data/clients_export.csv
 *
 * Conventions used below: every fallible call returns a cb_status (CB_OK is 0)
 * and fills its out-parameters only on success; cb_last_error_message() says
 * what went wrong; strings the library hands over (char *) are freed with
 * cb_string_free(), objects with their cb_<object>_free().
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clientbase.h>

/* The tags and custom fields of our client base. */
static const char *SCHEMA =
    "{\"tags\":[\"opt\",\"vip\"],"
    " \"fields\":[{\"name\":\"budget\",\"type\":\"money\",\"currency\":\"RUB\"},"
    "             {\"name\":\"rooms\",\"type\":\"integer\"}]}";

/* Which column of the export fills which client field. Columns left out (here
 * "Комментарий") are not read, and the report lists them. */
static const char *MAPPING =
    "{\"Фамилия\":\"surname\",\"Имя\":\"given_name\",\"Отчество\":\"patronymic\","
    " \"Организация\":\"company\",\"ИНН\":\"tax_id\",\"Телефон\":\"phone\","
    " \"E-mail\":\"email\",\"Город\":\"city\",\"Метки\":\"tags\","
    " \"Бюджет\":\"custom.budget\",\"Комнат\":\"custom.rooms\"}";

/* The export was taken on 2025-01-01: stamp the imported records with that date. */
#define EXPORT_TIME 1735689600

/* The number after "key": in a flat JSON object of counts (0 if absent). */
static uint64_t count_of(const char *json, const char *key)
{
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\":", key);
    const char *at = strstr(json, quoted);
    return at == NULL ? 0 : strtoull(at + strlen(quoted), NULL, 10);
}

static int fail(const char *what, cb_status status)
{
    fprintf(stderr, "%s failed (%s): %s\n", what, cb_status_name(status),
            cb_last_error_message());
    return EXIT_FAILURE;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <clients.csv>\n", argv[0]);
        return EXIT_FAILURE;
    }

    cb_base *base = NULL;
    cb_status status = cb_base_new(SCHEMA, &base);
    if (status != CB_OK) {
        return fail("creating the base", status);
    }
    cb_base_freeze_clock(base, EXPORT_TIME);

    /* The params of the import: the file, the mapping, no options (the
     * delimiter is detected from the header line). The path goes into a JSON
     * string, so its quotes and backslashes are escaped. */
    char params[4096];
    size_t n = (size_t)snprintf(params, sizeof params, "{\"mapping\":%s,\"path\":\"", MAPPING);
    for (const char *p = argv[1]; *p && n + 4 < sizeof params; p++) {
        if (*p == '"' || *p == '\\') {
            params[n++] = '\\';
        }
        params[n++] = *p;
    }
    snprintf(params + n, sizeof params - n, "\"}");

    char *report = NULL;
    status = cb_base_call_mut(base, "import_clients_csv", params, &report);
    if (status != CB_OK) {
        /* The file could not be read at all, or the mapping does not fit it. */
        int code = fail("importing the export", status);
        cb_base_free(base);
        return code;
    }
    /* The report lists the ids imported, every row rejected and every cell set
     * aside (line, column, field, kind, reason), and the columns not read. */
    printf("import report: %s\n", report);

    /* The first imported client, as JSON. */
    const char *imported = strstr(report, "\"imported\":[");
    uint64_t first_id = imported ? strtoull(imported + 12, NULL, 10) : 0;
    if (first_id != 0) {
        char *json = NULL;
        status = cb_base_record_json(base, "client", first_id, &json);
        if (status == CB_OK) {
            printf("client %" PRIu64 ": %s\n", first_id, json);
            cb_string_free(json);
        } else {
            fail("fetching the client", status);
        }
    }

    /* Counts are a capability: a JSON object such as {"clients":3,"companies":1,...}. */
    char *counts = NULL;
    if (cb_base_call(base, "counts", NULL, &counts) == CB_OK) {
        printf("clients in the base: %" PRIu64 " (people: %" PRIu64 ", companies: %" PRIu64 ")\n", count_of(counts, "clients"),
               count_of(counts, "persons"), count_of(counts, "companies"));
        cb_string_free(counts);
    }

    cb_string_free(report);
    cb_base_free(base);
    return status == CB_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}
